#!/bin/bash
# Daemon soak (issue 12; not in CI): a plain-text server under connect churn, idle-tunnel and
# slowloris floods, session-id churn, PADI MAC churn and malformed frames for DURATION seconds
# (default 600), while a legitimate client stays connected. Prints, per minute: the server's RSS,
# threads and log lines, the client's RSS, whether the legitimate tunnel is up, and the attacker's
# counters. Run as root:  bench/soak/run.sh [SECONDS]
# Lab (own namespaces, nothing leaves them; X is PPX_LAB_PREFIX, default px, so runs sharing a machine
# never touch each other's): X-sdhome[X-sdh] <-> X-sdc (root, client)
#                            X-sds (root, server) <-> X-sdac[X-sda]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$(dirname "$HERE")")"
DURATION=${1:-600}
[[ $DURATION =~ ^[0-9]+$ ]] || { echo "usage: $0 [SECONDS]" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "soak: needs root (namespaces, AF_PACKET)" >&2; exit 1; }
PORT=${SOAK_PORT:-39571}
X=${PPX_LAB_PREFIX:-px}
PROXY=${SOAK_PROXY:-$REPO/src/PppoeProxy.Cli/bin/Release/net8.0/pppoeproxy}
ATTACK=${SOAK_ATTACK:-"churn 50 idle 300 slow 200 sessions 2000 padi 100 garbage 200"}
WORK=$(mktemp -d /tmp/pxsoak.XXXXXX)
export DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1
PIDS=()

cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  ip netns del $X-sdhome 2>/dev/null; ip netns del $X-sdac 2>/dev/null
  ip link del $X-sdc 2>/dev/null; ip link del $X-sds 2>/dev/null
  [[ ${SOAK_KEEP:-0} == 1 ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dotnet build "$REPO/src/PppoeProxy.Cli" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
ip netns del $X-sdhome 2>/dev/null || true; ip netns del $X-sdac 2>/dev/null || true
ip netns add $X-sdhome; ip netns add $X-sdac
ip link add $X-sdh netns $X-sdhome type veth peer name $X-sdc
ip link add $X-sda netns $X-sdac type veth peer name $X-sds
for ns in $X-sdhome $X-sdac; do ip -n $ns link set lo up; done
ip -n $X-sdhome link set $X-sdh up; ip -n $X-sdac link set $X-sda up; ip link set $X-sdc up; ip link set $X-sds up
AMAC=$(ip -n $X-sdac -o link show $X-sda | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

"$PROXY" server -i $X-sds --listen 127.0.0.1:$PORT --insecure --stats 10 --status-socket "$WORK/server.sock" >"$WORK/server.log" 2>&1 &
SERVER=$!; PIDS+=($SERVER)
for _ in $(seq 50); do grep -q "server listening" "$WORK/server.log" && break; sleep 0.1; done
"$PROXY" client -i $X-sdc --server 127.0.0.1:$PORT --insecure --status-socket "$WORK/client.sock" >"$WORK/client.log" 2>&1 &
CLIENT=$!; PIDS+=($CLIENT)
for _ in $(seq 100); do grep -q "tunnel connected" "$WORK/client.log" && break; sleep 0.1; done
grep -q "tunnel connected" "$WORK/client.log" || { cat "$WORK"/*.log >&2; echo "soak: the legitimate tunnel did not come up" >&2; exit 1; }

# shellcheck disable=SC2086
/usr/bin/python3 "$HERE/attack.py" 127.0.0.1 $PORT "$AMAC" $ATTACK >"$WORK/attack.log" 2>&1 &
PIDS+=($!)

field() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status" 2>/dev/null || echo 0; }
legit_up() {  # the client's own view: is its one tunnel open?
  "$PROXY" status --socket "$WORK/client.sock" --json 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print("up" if any(p.get("connected") for p in d.get("peers",[])) else "DOWN")' 2>/dev/null || echo "?"
}
printf '%-6s %10s %8s %10s %10s %6s  %s\n' minute server_MB threads log_lines client_MB legit attacker
last_lines=0
for ((t = 60; t <= DURATION; t += 60)); do
  sleep 60
  kill -0 $SERVER 2>/dev/null || { echo "soak: the server died" >&2; tail -5 "$WORK/server.log" >&2; exit 1; }
  lines=$(wc -l <"$WORK/server.log")
  printf '%-6s %10s %8s %10s %10s %6s  %s\n' $((t / 60)) $(($(field VmRSS $SERVER) / 1024)) "$(field Threads $SERVER)" \
    $((lines - last_lines)) $(($(field VmRSS $CLIENT) / 1024)) "$(legit_up)" "$(tail -1 "$WORK/attack.log")"
  last_lines=$lines
done
echo "server log, last stats lines:"; grep -i "stats\|total" "$WORK/server.log" | tail -3
