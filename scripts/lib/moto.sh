# shellcheck shell=bash
# Sourced by scripts/demo and benches/*.sh. start_moto: moto's STS server on a free
# loopback port. Sets moto_pid (the caller kills it on exit) and points
# AWS_ENDPOINT_URL_STS at it; returns once it answers.
start_moto() {
  local log=$1 port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  # shellcheck disable=SC2034 # read by the caller, which stops it
  moto_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$port
}

# A project in DIR whose long-term keys come from CI_ID/CI_SECRET (exported
# here) and are traded for the role `bench` from moto; EXTRA is appended to the
# manifest (more [aws] keys, a [persistence] table); ROLE, when given, stands
# in [aws] for the role (profiles, say).
bench_project() {
  local dir=$1 extra=${2:-} role=${3:-'role_arn = "arn:aws:iam::123456789012:role/bench"'}
  export AWS_REGION=us-east-1
  export CI_ID=AKIAIOSFODNN7EXAMPLE CI_SECRET=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  mkdir -p "$dir/.envact"
  cat > "$dir/.envact/manifest.toml" <<TOML
version = 1
name = "bench"
[secrets]
backend = "env"
item = "ci"
[secrets.fields]
access_key_id = "CI_ID"
secret_access_key = "CI_SECRET"
[aws]
$role
$extra
TOML
}
