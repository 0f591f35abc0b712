# shellcheck shell=bash
# envact for direnv. Put this file in ~/.config/direnv/lib/ (direnv sources
# every file there before an .envrc), then write `use envact` in a project's
# .envrc, or `use envact -r team/aws` for a team's template.
#
# `envact direnv-load` prints what direnv is to export, as bash: the
# environment's [vars] and ENVACT_* variables, a PATH entry of shims for the
# wrapped commands (or in server mode the ECS endpoint and a token *file*),
# and the files to watch. Never a credential: direnv copies every exported
# value into DIRENV_DIFF and into every process started from the shell.
# When it fails it prints only the files to watch, so that fixing the
# manifest (or trusting it) loads it anew.
use_envact() {
  local envact_load envact_status
  envact_load="$(ENVACT_BIN direnv-load "$@")"
  envact_status=$?
  eval "$envact_load"
  return "$envact_status"
}
