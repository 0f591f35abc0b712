# envact: `envact activate -- CMD ARGS...` in fish (config.fish has already run).
# The command line is parsed again after the rc, so [profile] aliases and
# functions apply as at the prompt.
set -l __envact_cmd (string escape -- $argv | string join ' ')
set -e argv
source "$ENVACT_RUNTIME_DIR/rc.fish"
eval $__envact_cmd
