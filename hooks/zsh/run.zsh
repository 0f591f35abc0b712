# envact: `envact activate -- CMD ARGS...` in zsh, as if typed at the prompt.
# A program on PATH replaces the shell (exec), so signals that envact passes on
# reach it directly; an alias, function or builtin from [profile] is run through
# eval, so that it is expanded as at the prompt.
source "$ENVACT_RUNTIME_DIR/.zshrc"
if ! whence -- "$1" >/dev/null; then
  print -ru2 -- "envact: $1: command not found"
  exit 127
fi
if (( ${+commands[$1]} && ! ${+aliases[$1]} && ! ${+functions[$1]} && ! ${+builtins[$1]} )); then
  exec -- "$@"
fi
eval "${(j: :)${(q)@}}"
