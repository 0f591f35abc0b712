# shellcheck shell=bash
# Sourced by the benches that run envact against moto in a private home
# (agent.sh, direnv.sh, profiles.sh). bench_env NAME PROGRAM... checks the
# programs, builds the release binary (`bin`), makes the work directory
# (`work`, with its own HOME, XDG directories and runtime dir; removed on
# exit, moto stopped, and anything in `bench_cleanup` run first), unsets
# what an enclosing envact or direnv would leave, and starts moto.
bench_env() {
  local name=$1 p
  shift
  for p in "$@"; do
    command -v "$p" >/dev/null || { echo "$name: $p is not installed" >&2; exit 1; }
  done
  cargo build --release --quiet
  # shellcheck disable=SC2034 # the bench's
  bin=$PWD/target/release/envact
  work=$(mktemp -d)
  moto_pid=
  bench_cleanup=${bench_cleanup:-true}
  trap 'eval "$bench_cleanup"; [[ -n $moto_pid ]] && kill $moto_pid 2>/dev/null; rm -rf "$work"' EXIT
  mkdir -p "$work/home" "$work/run"
  chmod 700 "$work/run"
  export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share \
    XDG_CACHE_HOME=$work/home/.cache XDG_RUNTIME_DIR=$work/run
  unset ENVACT_ENV ENVACT_RUNTIME_DIR ENVACT_DIRENV DIRENV_DIR DIRENV_DIFF DIRENV_WATCHES
  # shellcheck source=scripts/lib/moto.sh
  . scripts/lib/moto.sh
  start_moto /dev/null
}
