# envact: mark the prompt with the environment's name (and its default AWS
# profile, when it has profiles), and `(remote)` for a registry's template;
# `%` is doubled so the names are shown as written, never read as prompt
# escapes.
if [[ -o interactive ]]; then
  PROMPT="(${ENVACT_ENV//\%/%%}${ENVACT_AWS_DEFAULT_PROFILE:+:${ENVACT_AWS_DEFAULT_PROFILE//\%/%%}})${ENVACT_REMOTE:+ (remote)} ${PROMPT}"
fi
