# envact: `envact activate -- CMD ARGS...` in fish, as if typed at the prompt
# (config.fish has already run). A program on PATH replaces the shell (exec), so
# signals that envact passes on reach it directly; an alias, function or builtin
# from [profile] is run through eval, so that it is expanded as at the prompt.
source "$ENVACT_RUNTIME_DIR/rc.fish"
switch "$(type -t -- $argv[1] 2>/dev/null)"
    case file
        exec $argv
    case ''
        printf 'envact: %s: command not found\n' $argv[1] >&2
        exit 127
end
eval (string escape -- $argv | string join ' ')
