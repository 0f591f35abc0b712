# envact: `envact activate -- CMD ARGS...` in zsh. The command line is parsed
# again after the rc, so [profile] aliases and functions apply as at the prompt.
__envact_cmd=${(j: :)${(q)@}}
set --
source "$ENVACT_RUNTIME_DIR/.zshrc"
eval "unset __envact_cmd; $__envact_cmd"
