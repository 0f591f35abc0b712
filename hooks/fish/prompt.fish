# envact: mark the prompt with the environment's name, keeping the user's prompt
# and the $status it shows.
if status is-interactive
    if functions -q fish_prompt
        functions -c fish_prompt __envact_user_prompt
    else
        function __envact_user_prompt
            printf '> '
        end
    end
    function __envact_set_status
        return $argv[1]
    end
    function fish_prompt
        set -l last_status $status
        printf '(%s) ' $ENVACT_ENV
        if set -q ENVACT_REMOTE
            printf '(remote) '
        end
        __envact_set_status $last_status
        __envact_user_prompt
    end
end
