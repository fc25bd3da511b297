#!/bin/bash
# Issue 12's probe 4 at its scale (not in CI): N distinct session ids (default 50,000; an LCP echo then a
# PADT each, from one LAN MAC, RATE ids/s, default 5,000, 0 = flat out) through a real client and server.
# Prints both ends' RSS before and after, their status entries by state, status JSON size and time, and
# the last --stats print of each (its line count is probe 3's second figure). Root; loopback and two
# namespaces of its own under PPX_LAB_PREFIX, removed on exit.   Usage: bench/soak/probe-sessions.sh [N [RATE]]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
P=${PPX_PROXY:-$REPO/src/PppoeProxy.Cli/bin/Release/net8.0/pppoeproxy}
X=${PPX_LAB_PREFIX:-px}
N=${1:-50000}; RATE=${2:-5000}
[[ $N =~ ^[0-9]+$ && $RATE =~ ^[0-9]+$ ]] || { echo "usage: $0 [N [RATE]]" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "probe-sessions: needs root (namespaces, AF_PACKET)" >&2; exit 1; }
export DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1
W=$(mktemp -d /tmp/$X-sessions.XXXXXX)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  ip netns del $X-shome 2>/dev/null; ip netns del $X-sac 2>/dev/null
  echo "logs: $W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add $X-shome; ip netns add $X-sac
ip link add $X-sh netns $X-shome type veth peer name $X-sc
ip link add $X-sa netns $X-sac type veth peer name $X-ss
ip -n $X-shome link set $X-sh up; ip -n $X-sac link set $X-sa up; ip link set $X-sc up; ip link set $X-ss up
AMAC=$(ip -n $X-sac -o link show $X-sa | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
"$P" server -i $X-ss --listen 127.0.0.1:$PORT --insecure --stats 5 --status-socket $W/s.sock >$W/server.log 2>&1 &
S=$!; PIDS+=($S)
for _ in $(seq 100); do grep -q "server listening" $W/server.log && break; sleep 0.1; done
"$P" client -i $X-sc --server 127.0.0.1:$PORT --insecure --stats 5 --status-socket $W/c.sock >$W/client.log 2>&1 &
C=$!; PIDS+=($C)
for _ in $(seq 100); do grep -q "tunnel connected" $W/client.log && break; sleep 0.1; done
grep -q "tunnel connected" $W/client.log || { cat $W/*.log >&2; echo "probe-sessions: the tunnel did not come up" >&2; exit 1; }

rss() { echo $(( $(awk '/VmRSS/{print $2}' /proc/$1/status) / 1024 )); }
echo "before: server RSS $(rss $S) MB, client RSS $(rss $C) MB"
ip netns exec $X-shome /usr/bin/python3 - $X-sh "$AMAC" "$N" "$RATE" <<'PY'
import socket, struct, sys, time
iface, ac, n, rate = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3]), int(sys.argv[4])
client = bytes.fromhex("025058590001")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((iface, 0))
lcp = struct.pack(">HBBH", 0xC021, 9, 1, 8) + b"\0\0\0\0"
t0 = time.monotonic()
for i in range(n):
    sid = 1 + i % 65534
    s.send(ac + client + struct.pack(">HBBHH", 0x8864, 0x11, 0, sid, len(lcp)) + lcp)   # LCP Echo-Request
    s.send(ac + client + struct.pack(">HBBHH", 0x8863, 0x11, 0xA7, sid, 0))             # PADT
    if rate and i % 100 == 99 and (ahead := (i + 1) / rate - (time.monotonic() - t0)) > 0:
        time.sleep(ahead)
print(f"sent {n} session ids in {time.monotonic() - t0:.1f} s")
PY
sleep 6   # a --stats print after the last frame
for end in s c; do
  t0=$(date +%s.%N); "$P" status --socket $W/$end.sock --json >$W/$end.json; t1=$(date +%s.%N)
  /usr/bin/python3 - "$end" "$W/$end.json" "$(echo "$t1 - $t0" | bc)" <<'PY'
import collections, json, os, sys
end, path, secs = sys.argv[1:]
d = json.load(open(path)); d = d[0] if isinstance(d, list) else d
states = collections.Counter(s.get("state") for s in d.get("sessions", []))
print(f"{'server' if end == 's' else 'client'}: status JSON {os.path.getsize(path)} bytes in {float(secs):.2f} s; {sum(states.values())} sessions {dict(states)}")
PY
done
echo "after: server RSS $(rss $S) MB, client RSS $(rss $C) MB"
for f in server client; do
  echo "last --stats print of the $f ($(tac $W/$f.log | awk "/stats $f /{print NR; exit}") lines):"
  tac $W/$f.log | awk "/stats $f /{print; exit} {print}" | tac | cut -c1-200
done
