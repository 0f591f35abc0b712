# shellcheck shell=bash
# envact: `envact activate -- CMD ARGS...` in bash, as if typed at the prompt.
# A program on PATH replaces the shell (exec), so signals that envact passes on
# reach it directly; an alias, function or builtin from [profile] is run through
# eval, so that it is expanded as at the prompt.
shopt -s expand_aliases
# shellcheck source=/dev/null
. "$ENVACT_RUNTIME_DIR/rc.bash"
case $(type -t -- "$1") in
  file) exec -- "$@" ;;
  '') printf 'envact: %s: command not found\n' "$1" >&2; exit 127 ;;
esac
eval "$(printf '%q ' "$@")"
