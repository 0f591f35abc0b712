#!/usr/bin/env bash
# The budget of issue 25 (several accounts in one environment), in one run
# inside a real activation with [aws.profiles] (moto's STS on loopback, keys
# from the env backend): `envact export -p prod --format credential-process`,
# what every SDK runs for a profile, answered by the agent while the
# credentials are fresh, against bare `true`: at most 3 ms more (median),
# the same as a wrapped command.
# Needs: hyperfine, moto_server, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/bench-env.sh
. scripts/lib/bench-env.sh
bench_env profiles.sh hyperfine moto_server python3
bench_project "$work/env" "" "$(cat <<'TOML'
default_profile = "dev"
[aws.profiles.dev]
role_arn = "arn:aws:iam::111111111111:role/dev"
[aws.profiles.prod]
role_arn = "arn:aws:iam::333333333333:role/prod"
TOML
)"

# shellcheck disable=SC2016 # the inner script is expanded by the inner bash
"$bin" activate -d "$work/env" --shell bash -- bash -c '
  set -e
  "'"$bin"'" export -p prod --format credential-process >/dev/null   # the agent holds prod now
  hyperfine --shell=none --warmup 20 --runs "${RUNS:-200}" --export-json "'"$work"'/results.json" \
    -n "true" "true" \
    -n "export -p prod" "'"$bin"' export -p prod --format credential-process" >&2
'

python3 - "$work/results.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
bare, export = r["true"], r["export -p prod"]
print()
print(f"median  true:                                        {bare:6.2f} ms")
print(f"median  envact export -p prod (credential_process):  {export:6.2f} ms  (+{export - bare:.2f} ms, {export / bare:.1f}x)  budget +3 ms: {'ok' if export - bare <= 3 else 'OVER'}")
PY
