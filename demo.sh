#!/usr/bin/env bash
# The main job on a built-in default: a throwaway lab in network namespaces with a real
# rp-pppoe access concentrator and client, our proxy server and client between them over a TLS
# tunnel on loopback. Shows the session coming up (frames live), the session tables of both
# proxy ends, then kills the session with a PADT and shows the AC dropping it. Removes
# everything it made, on success, failure or Ctrl+C. Exits 0 only if every step worked.
#
#   ./demo.sh                 the lab demo (needs root: namespaces, raw sockets)
#   ./demo.sh --offline       no root: find the sessions in the shipped capture samples/sample.pcap
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
CLI="dotnet $HERE/src/PppoeProxy.Cli/bin/Release/net8.0/pppoeproxy.dll"

build() {
  [[ -n ${PPPOEPROXY_DEMO_NOBUILD:-} ]] && return 0  # the test suite has built it already
  local log; log=$(mktemp)
  dotnet build src/PppoeProxy.Cli -c Release -nologo >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
  rm -f "$log"
}

if [[ ${1:-} == --offline ]]; then
  build
  exec $CLI sessions --read samples/sample.pcap
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "demo: needs root for network namespaces and raw sockets (run it as root), or run ./demo.sh --offline" >&2
  exit 1
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "demo: FAILED: $*" >&2; exit 1; }

scripts/install-deps.sh
step "building"
build

NAME=dm$(printf '%04x' $((RANDOM % 65536)))
WORK=$(mktemp -d /tmp/ppx-demo.XXXXXX)
PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  bash tests/lab/lab.sh down "$NAME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  if ip netns list | grep -q "^$NAME-" || ip link show 2>/dev/null | grep -q " $NAME-"; then
    echo "demo: cleanup left something behind" >&2; status=1
  fi
  [[ $status -eq 0 ]] && step "done: lab removed, nothing left behind"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "certificates for the tunnel (each side pins the other's fingerprint)"
SERVER_FP=$($CLI cert new --out "$WORK/server" | tail -n 1)
CLIENT_FP=$($CLI cert new --out "$WORK/client" | tail -n 1)
echo "server $SERVER_FP"
echo "client $CLIENT_FP"

step "lab $NAME: AC namespace (rp-pppoe pppoe-server) and home namespace (rp-pppoe client)"
bash tests/lab/lab.sh up "$NAME" --split >/dev/null
echo "AC side:   $NAME-ac [$NAME-a] <-> $NAME-s  (proxy server)"
echo "home side: $NAME-home [$NAME-h] <-> $NAME-c  (proxy client)"

PORT=$((40000 + RANDOM % 20000))
step "proxy server on $NAME-s and proxy client on $NAME-c, TLS tunnel on 127.0.0.1:$PORT"
$CLI server --interface "$NAME-s" --listen "127.0.0.1:$PORT" --cert "$WORK/server.crt" --key "$WORK/server.key" \
  --trust "$CLIENT_FP" --grace 5 --status-socket "$WORK/server.sock" > >(sed -u 's/^/[server] /') 2>&1 &
PIDS+=($!)
$CLI client --interface "$NAME-c" --server "127.0.0.1:$PORT" --cert "$WORK/client.crt" --key "$WORK/client.key" \
  --trust "$SERVER_FP" --status-socket "$WORK/client.sock" > >(sed -u 's/^/[client] /') 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [[ -S $WORK/server.sock && -S $WORK/client.sock ]] && break; sleep 0.2; done
[[ -S $WORK/server.sock ]] || fail "the proxy server did not start"

# Frames as the home LAN sees them, live: discovery, LCP, PAP, echoes.
$CLI frames --interface "$NAME-c" --json > "$WORK/frames.jsonl" 2>/dev/null &
PIDS+=($!)
$CLI frames --interface "$NAME-c" 2>/dev/null | sed -u 's/^/[lan]    /' &
PIDS+=($!)
sleep 1

step "the home router dials through the tunnel"
DIAL=$(bash tests/lab/lab.sh dial "$NAME" --pap) || fail "the PPPoE session did not come up through the tunnel"
eval "$DIAL"
echo "session $SESSION_ID up: client $CLIENT_MAC, AC $AC_MAC"
sleep 3

step "session tables of both proxy ends (pppoeproxy status)"
$CLI status --socket "$WORK/server.sock"
$CLI status --socket "$WORK/client.sock"

step "AC's live sessions before the kill (pid, session id, client MAC)"
bash tests/lab/lab.sh sessions "$NAME"
bash tests/lab/lab.sh sessions "$NAME" | grep -q " $SESSION_ID " || fail "the AC does not show session $SESSION_ID"

step "kill the session: pppoeproxy kill on the home LAN forges a PADT from the client's MAC"
ip netns exec "$NAME-home" $CLI kill --interface "$NAME-h" --timeout 10 --message "demo: session killed" --yes
for _ in $(seq 40); do
  bash tests/lab/lab.sh sessions "$NAME" | grep -q " $SESSION_ID " || break
  sleep 0.25
done
step "AC's live sessions after the kill"
AFTER=$(bash tests/lab/lab.sh sessions "$NAME")
echo "${AFTER:-(none)}"
grep -q " $SESSION_ID " <<<"$AFTER" && fail "the AC still has session $SESSION_ID"
grep -h "PADT" /tmp/ppx-lab/"$NAME"/pppoe-server.log 2>/dev/null | tail -n 3 | sed 's/^/[AC]     /' || true

# The demo checks its own outcome: the frames seen prove what crossed the tunnel.
for code in PADI PADO PADR PADS PADT; do
  grep -q "\"code\":\"$code\"" "$WORK/frames.jsonl" || fail "no $code seen on the home LAN"
done
grep -q '"codeName":"Configure-Request"' "$WORK/frames.jsonl" || fail "no LCP seen on the home LAN"
grep -q '"codeName":"Echo-Request"' "$WORK/frames.jsonl" || fail "no LCP echo seen on the home LAN"
step "all checks passed: session up through TLS, frames seen, session killed by PADT"
