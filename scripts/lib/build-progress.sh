# shellcheck shell=bash
# Shows a cargo build going, for scripts/demo: cargo's --quiet would leave
# the first build (minutes) silent, and its full output is hundreds of lines.
# Reads cargo's stderr on stdin; on a terminal, one line that counts the
# crates compiled and names the latest; elsewhere (a CI log), a line every
# 25 crates. cargo's own "Finished" and "Installing" lines, and every
# warning or error, go through as they are.
build_progress() {
  local line n=0 tty=
  [[ -t 2 ]] && tty=1
  while IFS= read -r line; do
    case $line in
      *Compiling\ *)
        n=$((n + 1))
        if [[ -n $tty ]]; then
          printf '\r\033[2Kdemo: building: %d crates compiled (%s)' "$n" "${line#*Compiling }" >&2
        elif ((n % 25 == 0)); then
          printf 'demo: building: %d crates compiled\n' "$n" >&2
        fi
        ;;
      *Downloading\ crates* | *Finished\ * | *Installing\ * | *Installed\ * | *warning* | *error* | *Error*)
        [[ -n $tty && $n -gt 0 ]] && printf '\r\033[2K' >&2
        printf '%s\n' "$line" >&2
        ;;
    esac
  done
  [[ -n $tty && $n -gt 0 ]] && printf '\r\033[2Kdemo: built (%d crates compiled)\n' "$n" >&2
  return 0
}
