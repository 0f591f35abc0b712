#!/usr/bin/env bash
# direnv's budgets (issue 14), in one run against moto's STS on loopback:
#   - `direnv export bash` on a `use envact` project (per-command mode, warm)
#     vs the same .envrc holding only the equivalent lines (the exports and
#     PATH_add that `use envact` produces): at most 5 ms more (median)
#   - a wrapped command through its PATH shim, credentials from the
#     background agent, vs the bare command: at most 3 ms more (median)
# Needs: hyperfine, direnv, moto_server, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2034,SC2016 # run, expanded, by bench_env's trap
bench_cleanup='"$bin" stop -d "$work/env" >/dev/null 2>&1 || true'
# shellcheck source=scripts/lib/bench-env.sh
. scripts/lib/bench-env.sh
bench_env direnv.sh hyperfine direnv moto_server python3
bench_project "$work/env" 'wrap = ["true"]
[vars]
AWS_DEFAULT_REGION = "us-east-1"
GREETING = "hello"'

mkdir -p "$XDG_CONFIG_HOME/direnv/lib"
"$bin" hook direnv > "$XDG_CONFIG_HOME/direnv/lib/envact.sh"
echo 'use envact' > "$work/env/.envrc"
# The baseline: the exports `use envact` gives direnv, written out by hand
# (its PATH_add too; not its watch_file, which a hand-written .envrc lacks).
mkdir -p "$work/plain"
(cd "$work/env" && "$bin" direnv-load) | grep -v '^watch_file ' > "$work/plain/.envrc"
direnv allow "$work/env"
direnv allow "$work/plain"

shim=$(cd "$work/env" && direnv exec . printenv ENVACT_RUNTIME_DIR)/bin/true
[[ -L $shim ]] || { echo "direnv.sh: no shim for true at $shim" >&2; exit 1; }
bare=$(type -P true)
# Warm: the agent holds the credentials.
(cd "$work/env" && direnv exec . "$shim")

(cd "$work/env" && hyperfine --shell=none --warmup 5 --runs "${RUNS:-50}" \
  --export-json "$work/direnv.json" \
  -n "plain .envrc" "bash -c 'cd $work/plain && direnv export bash'" \
  -n "use envact" "bash -c 'cd $work/env && direnv export bash'" >&2)
(cd "$work/env" && direnv exec . hyperfine --shell=none --warmup 20 --runs "${RUNS:-200}" \
  --export-json "$work/shim.json" \
  -n "true" "$bare" \
  -n "shim true" "$shim" >&2)

python3 - "$work/direnv.json" "$work/shim.json" <<'PY'
import json, sys
def medians(path):
    return {x["command"]: x["median"] * 1000 for x in json.load(open(path))["results"]}
d, s = medians(sys.argv[1]), medians(sys.argv[2])
plain, use = d["plain .envrc"], d["use envact"]
bare, shim = s["true"], s["shim true"]
print()
print(f"median  direnv export bash, plain .envrc:  {plain:6.2f} ms")
print(f"median  direnv export bash, use envact:    {use:6.2f} ms  (+{use - plain:.2f} ms, {use / plain:.2f}x)  budget +5 ms: {'ok' if use - plain <= 5 else 'OVER'}")
print(f"median  true:                              {bare:6.2f} ms")
print(f"median  true through its shim:             {shim:6.2f} ms  (+{shim - bare:.2f} ms, {shim / bare:.1f}x)  budget +3 ms: {'ok' if shim - bare <= 3 else 'OVER'}")
PY
