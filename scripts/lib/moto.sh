# shellcheck shell=bash
# Sourced by scripts/demo and benches/*.sh: moto's STS server on a free
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
