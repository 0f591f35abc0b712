# shellcheck shell=bash
# Sourced by the benches that need a Secret Service (export.sh, sso.sh):
# bench_session runs the bench again inside a private D-Bus session with its
# own HOME and runtime dir (removed afterwards), and inside it unlocks a
# gnome-keyring; `work` is that directory either way.
# Usage, first thing: bench_session NAME PROGRAM... -- "$0" "$@"
bench_session() {
  local name=$1 needs=() status=0
  shift
  while [[ $1 != -- ]]; do
    needs+=("$1")
    shift
  done
  shift
  if [[ -n ${ENVACT_BENCH_INNER:-} ]]; then
    work=$ENVACT_BENCH_INNER
    eval "$(printf 'bench' | gnome-keyring-daemon --unlock --components=secrets)"
    return
  fi
  for p in "${needs[@]}" dbus-run-session gnome-keyring-daemon; do
    command -v "$p" >/dev/null || { echo "$name: $p is not installed" >&2; exit 1; }
  done
  cargo build --release --quiet
  work=$(mktemp -d)
  mkdir -p "$work/home" "$work/run"
  chmod 700 "$work/run"
  HOME=$work/home XDG_RUNTIME_DIR=$work/run XDG_DATA_HOME=$work/home/.local/share \
    XDG_CONFIG_HOME=$work/home/.config ENVACT_BENCH_INNER=$work \
    dbus-run-session -- "$@" || status=$?
  rm -rf "$work"
  exit "$status"
}
