#!/usr/bin/env bash
# Start-up budgets from DESIGN.md, measured with hyperfine in one run so that
# every figure is a ratio against a baseline taken on the same machine, moment
# and load:
#   - `envact --version`                       budget: under 2 ms
#   - `envact activate -d ENV -- true`         budget: under 20 ms over the shell's own start-up
#     against `bash --noprofile --norc -c true` (the shell's own start-up)
# Usage: benches/startup.sh [extra hyperfine args]. Prints a table and the verdicts.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/envact

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/run" "$work/env/.envact"
chmod 700 "$work/run"
# A plain environment: variables and a profile, no hook (a hook is the user's own cost).
cat > "$work/env/.envact/manifest.toml" <<'TOML'
version = 1
name = "bench"
[vars]
GREETING = "hello"
AWS_REGION = "eu-west-1"
[profile]
common = "alias ll='ls -l'"
TOML

export HOME=$work/home XDG_RUNTIME_DIR=$work/run XDG_CONFIG_HOME=$work/home/.config
unset ENVACT_ENV ENVACT_RUNTIME_DIR

hyperfine --shell=none --warmup 20 --runs "${RUNS:-300}" --export-json "$work/results.json" "$@" \
  -n 'bash -c true (baseline)' 'bash --noprofile --norc -c true' \
  -n 'envact --version' "$bin --version" \
  -n 'envact activate -- true' "$bin activate -d $work/env --shell bash -- true"

python3 - "$work/results.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = lambda name: r[name]["median"] * 1000
base, version, act = ms("bash -c true (baseline)"), ms("envact --version"), ms("envact activate -- true")
over = act - base
print()
print(f"median  bash -c true (baseline): {base:6.2f} ms")
print(f"median  envact --version:        {version:6.2f} ms  ({version / base:.2f}x baseline)  budget < 2 ms: {'ok' if version < 2 else 'OVER'}")
print(f"median  envact activate -- true: {act:6.2f} ms  ({act / base:.2f}x baseline)")
print(f"        activation overhead:     {over:6.2f} ms over the shell's start-up  budget < 20 ms: {'ok' if over < 20 else 'OVER'}")
PY
