# shellcheck shell=bash
# envact: mark the prompt with the environment's name (and its default AWS
# profile, when it has profiles), and `(remote)` for a registry's template.
# The names are expanded when the prompt is drawn (promptvars), never parsed
# as prompt code themselves.
if [[ $- == *i* ]]; then
  # shellcheck disable=SC2016
  PS1='(${ENVACT_ENV}${ENVACT_AWS_DEFAULT_PROFILE:+:${ENVACT_AWS_DEFAULT_PROFILE}})${ENVACT_REMOTE:+ (remote)} '"${PS1-\\s-\\v\\\$ }"
fi
