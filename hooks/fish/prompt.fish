# envact: mark the prompt with the environment's name (and its default AWS
# profile, when it has profiles), keeping the user's prompt and the $status it
# shows.
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
        if set -q ENVACT_AWS_DEFAULT_PROFILE
            printf '(%s:%s) ' $ENVACT_ENV $ENVACT_AWS_DEFAULT_PROFILE
        else
            printf '(%s) ' $ENVACT_ENV
        end
        if set -q ENVACT_REMOTE
            printf '(remote) '
        end
        __envact_set_status $last_status
        __envact_user_prompt
    end
end
