#!/usr/bin/env bash
# The agent's budgets from DESIGN.md, in one run inside a real activation
# (moto's STS server on loopback, keys from the env backend, per-command mode):
#   - `envact exec -- true` with credentials held by the agent vs bare `true`:
#     at most 3 ms more (median)
#   - the agent's (the activating envact's) peak RSS: under 20 MiB
# Needs: hyperfine, moto_server, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/bench-env.sh
. scripts/lib/bench-env.sh
bench_env agent.sh hyperfine moto_server python3
bench_project "$work/env" 'inject = "per-command"'

# Inside the activation: the command's parent is the activating envact, the agent.
# shellcheck disable=SC2016 # the inner script is expanded by the inner bash
"$bin" activate -d "$work/env" --shell bash -- bash -c '
  set -e
  hyperfine --shell=none --warmup 20 --runs "${RUNS:-200}" --export-json "'"$work"'/results.json" \
    -n "true" "true" \
    -n "envact exec -- true" "'"$bin"' exec -- true" >&2
  grep VmHWM "/proc/$PPID/status" > "'"$work"'/rss"
'

python3 - "$work/results.json" "$work/rss" <<'PY'
import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
bare, exec_ = r["true"], r["envact exec -- true"]
rss_kib = int(open(sys.argv[2]).read().split()[1])
print()
print(f"median  true:                  {bare:6.2f} ms")
print(f"median  envact exec -- true:   {exec_:6.2f} ms  (+{exec_ - bare:.2f} ms, {exec_ / bare:.1f}x)  budget +3 ms: {'ok' if exec_ - bare <= 3 else 'OVER'}")
print(f"agent peak RSS (VmHWM):        {rss_kib / 1024:6.1f} MiB  budget 20 MiB: {'ok' if rss_kib < 20 * 1024 else 'OVER'}")
PY
