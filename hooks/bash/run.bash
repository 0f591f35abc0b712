# shellcheck shell=bash
# envact: `envact activate -- CMD ARGS...` in bash. The command line is parsed
# again after the rc, so [profile] aliases and functions apply as at the prompt.
__envact_cmd=$(printf '%q ' "$@")
set --
shopt -s expand_aliases
# shellcheck source=/dev/null
. "$ENVACT_RUNTIME_DIR/rc.bash"
eval "unset __envact_cmd; $__envact_cmd"
