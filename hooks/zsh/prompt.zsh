# envact: mark the prompt with the environment's name, and `(remote)` for a
# registry's template; `%` is doubled so the name is shown as written, never
# read as a prompt escape.
if [[ -o interactive ]]; then
  PROMPT="(${ENVACT_ENV//\%/%%})${ENVACT_REMOTE:+ (remote)} ${PROMPT}"
fi
