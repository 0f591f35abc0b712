# shellcheck shell=bash
# envact: mark the prompt with the environment's name, and `(remote)` for a
# registry's template. The name is expanded when the prompt is drawn
# (promptvars), never parsed as prompt code itself.
if [[ $- == *i* ]]; then
  # shellcheck disable=SC2016
  PS1='(${ENVACT_ENV})${ENVACT_REMOTE:+ (remote)} '"${PS1-\\s-\\v\\\$ }"
fi
