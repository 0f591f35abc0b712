#!/usr/bin/env bash
# An IAM Identity Center environment against a keyring one, measured with
# hyperfine in the same run (`envact export --format credential-process`,
# what an SDK runs per profile):
#   - warm: credentials kept in the keyring (persistence.sts_session), both
#     kinds: the SSO one must cost no more than the keys one;
#   - cold SSO: nothing kept; the cached sign-in token is read and the portal
#     asked once (GetRoleCredentials, to the stand-in on loopback), and nothing
#     else: the stand-in's log is counted after the run.
# Needs: hyperfine, moto_server, dbus-run-session, gnome-keyring-daemon, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/bench-session.sh
. scripts/lib/bench-session.sh
bench_session sso.sh hyperfine moto_server python3 -- "$0" "$@"
bin=$PWD/target/release/envact
# shellcheck source=scripts/lib/moto.sh
. scripts/lib/moto.sh
moto_pid='' sso_pid=''
trap '[[ -n $moto_pid ]] && kill $moto_pid 2>/dev/null; [[ -n $sso_pid ]] && kill $sso_pid 2>/dev/null' EXIT
start_moto /dev/null

# The Identity Center stand-in (the tests'), assigning the role used below.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/sso.json" <<JSON
{"moto": "$AWS_ENDPOINT_URL_STS", "interval": 1,
 "assignments": {"111122223333": {"name": "dev", "email": "dev@example.com", "roles": ["Developer"]}}}
JSON
python3 tests/fixtures/sso-standin/sso_standin.py "$port" "$work/sso.json" >"$work/sso.ready" &
sso_pid=$!
for _ in $(seq 100); do grep -q ready "$work/sso.ready" 2>/dev/null && break; sleep 0.1; done
export AWS_ENDPOINT_URL_SSO_OIDC=http://127.0.0.1:$port AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$port
# A person who approves at once ($1 is the browser's argument, not ours).
# shellcheck disable=SC2016
printf '#!/bin/sh\nexec python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()" "$1"\n' >"$work/browser"
chmod +x "$work/browser"
export BROWSER=$work/browser

sso_project() {
  local dir=$1 keep=$2
  mkdir -p "$dir/.envact"
  cat >"$dir/.envact/manifest.toml" <<TOML
version = 1
name = "bench-sso"
[vars]
AWS_REGION = "us-east-1"
[aws]
[aws.sso]
start_url = "https://bench.awsapps.com/start"
region = "us-east-1"
account_id = "111122223333"
role_name = "Developer"
session_name = "bench"
[persistence]
sts_session = $keep
TOML
}
bench_project "$work/keys-warm" "$(printf '[persistence]\nsts_session = true')"
sso_project "$work/sso-warm" true
sso_project "$work/sso-cold" false
# One sign-in, approved by the browser above; both SSO projects share it.
"$bin" login -d "$work/sso-warm" </dev/null >/dev/null 2>&1
"$bin" export -d "$work/keys-warm" --format credential-process >/dev/null   # fill the caches
"$bin" export -d "$work/sso-warm" --format credential-process >/dev/null
before=$(python3 -c "import json, urllib.request; print(len(json.load(urllib.request.urlopen('$AWS_ENDPOINT_URL_SSO/_standin/log'))))")

runs=${RUNS:-50}
hyperfine --shell=none --warmup 3 --runs "$runs" --export-json "$work/results.json" "$@" \
  -n 'export, keys, warm' "$bin export -d $work/keys-warm --format credential-process" \
  -n 'export, SSO, warm' "$bin export -d $work/sso-warm --format credential-process" \
  -n 'export, SSO, cold' "$bin export -d $work/sso-cold --format credential-process"

python3 - "$work/results.json" "$AWS_ENDPOINT_URL_SSO" "$before" <<'PY'
import collections, json, sys, urllib.request
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = {k: v["median"] * 1000 for k, v in r.items()}
runs = sum(len(v["times"]) for v in r.values()) // len(r)
warmups = 3
log = json.load(urllib.request.urlopen(sys.argv[2] + "/_standin/log"))[int(sys.argv[3]):]
calls = collections.Counter(op for op, _, _ in log)
keys, warm, cold = ms["export, keys, warm"], ms["export, SSO, warm"], ms["export, SSO, cold"]
print()
print(f"median  export, keys, warm (keyring):  {keys:7.2f} ms")
print(f"median  export, SSO, warm (keyring):   {warm:7.2f} ms  ({warm / keys:.2f}x keys)  budget <= keys: {'ok' if warm <= keys * 1.05 else 'OVER'}")
print(f"median  export, SSO, cold:             {cold:7.2f} ms  ({cold / warm:.2f}x SSO warm)")
print(f"portal and OIDC calls during the run: {dict(calls)} for {runs + warmups} cold exports")
ok = calls.get("GetRoleCredentials") == runs + warmups and set(calls) == {"GetRoleCredentials"}
print(f"        a cold export adds one GetRoleCredentials and nothing else: {'ok' if ok else 'NO'}")
PY
