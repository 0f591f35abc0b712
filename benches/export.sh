#!/usr/bin/env bash
# `envact export --format credential-process` with a warm cache (credentials in
# the keyring, no STS call) against a cold one (one STS round trip to moto's
# STS server on loopback), measured with hyperfine in the same run, plus
# `envact --version` as the floor. Prints the medians and the ratios.
# Needs: hyperfine, moto_server, dbus-run-session and gnome-keyring-daemon.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/bench-session.sh
. scripts/lib/bench-session.sh
bench_session export.sh hyperfine moto_server -- "$0" "$@"
bin=$PWD/target/release/envact
# shellcheck source=scripts/lib/moto.sh
. scripts/lib/moto.sh
moto_pid=
trap '[[ -n $moto_pid ]] && kill $moto_pid 2>/dev/null' EXIT
start_moto /dev/null
for name in warm cold; do
  keep=$([[ $name == warm ]] && echo true || echo false)
  bench_project "$work/$name" "$(printf '[persistence]\nsts_session = %s' "$keep")"
done
"$bin" export -d "$work/warm" --format credential-process >/dev/null   # fill the cache

hyperfine --shell=none --warmup 5 --runs "${RUNS:-50}" --export-json "$work/results.json" "$@" \
  -n 'envact --version' "$bin --version" \
  -n 'export, warm cache' "$bin export -d $work/warm --format credential-process" \
  -n 'export, cold (STS round trip)' "$bin export -d $work/cold --format credential-process"

python3 - "$work/results.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
v, warm, cold = r["envact --version"], r["export, warm cache"], r["export, cold (STS round trip)"]
print()
print(f"median  envact --version:               {v:7.2f} ms")
print(f"median  export, warm cache:             {warm:7.2f} ms  ({warm / v:.1f}x --version)")
print(f"median  export, cold (STS round trip):  {cold:7.2f} ms  ({cold / warm:.1f}x warm)")
PY
