# envact: mark the prompt with the environment's name; `%` is doubled so the name
# is shown as written, never read as a prompt escape.
if [[ -o interactive ]]; then
  PROMPT="(${ENVACT_ENV//\%/%%}) ${PROMPT}"
fi
