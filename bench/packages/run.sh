#!/bin/bash
# Issue 10 item 6: SharpPcap 6.3.1 / PacketDotNet 1.4.8 against the engine's own codec and capture.
#   bench/packages/run.sh            decode, forge and file checks; as root also live capture/injection
# Needs tshark and editcap (the reference decoder and the pcapng maker), gcc for bench/pxbench.c.
# Live part: two namespaces with random names joined by a veth pair; nothing leaves them, and they are
# deleted on exit. PKB_ROUNDS=N alternating rounds (default 7). Output: stdout and results/latest.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK=$(mktemp -d /tmp/pkbench.XXXXXX)
TAG=$(printf '%04x' $((RANDOM)))
GEN_NS=pkb-g-$TAG CAP_NS=pkb-c-$TAG GEN_IF=pkbg$TAG CAP_IF=pkbc$TAG
export PKB_WORK=$WORK PKB_ROUNDS=${PKB_ROUNDS:-7} DOTNET_CLI_TELEMETRY_OPTOUT=1

CREATED=()  # only namespaces this run made are ever deleted, even if a name was already taken
cleanup() {
  set +e
  for ns in "${CREATED[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in tshark editcap gcc dotnet; do
  command -v $tool >/dev/null || { echo "run.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
echo "building the bench (Release) and bench/pxbench.c" >&2
dotnet build "$HERE/PackageBench.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
gcc -O2 -Wall -o "$WORK/pxbench" "$REPO/bench/pxbench.c"
BENCH="$HERE/bin/Release/net8.0/PackageBench.dll"
OUT=$WORK/results.md

{
  echo "# bench/packages results $(date -u +%Y-%m-%dT%H:%MZ) ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  dotnet "$BENCH" decode
  dotnet "$BENCH" forge
  dotnet "$BENCH" files "$REPO/samples/sample.pcap"
} | tee "$OUT"

if [[ $(id -u) -ne 0 ]]; then
  echo "run.sh: not root, live capture/injection skipped (needs namespaces and AF_PACKET)" | tee -a "$OUT" >&2
else
  for ns in "$GEN_NS" "$CAP_NS"; do ip netns add "$ns"; CREATED+=("$ns"); done
  ip link add "$GEN_IF" netns "$GEN_NS" type veth peer name "$CAP_IF" netns "$CAP_NS"
  for ns in "$GEN_NS" "$CAP_NS"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  ip -n "$GEN_NS" link set "$GEN_IF" up; ip -n "$CAP_NS" link set "$CAP_IF" up
  GEN_MAC=$(ip netns exec "$GEN_NS" cat /sys/class/net/$GEN_IF/address)
  CAP_MAC=$(ip netns exec "$CAP_NS" cat /sys/class/net/$CAP_IF/address)
  for mode in capture inject; do
    ip netns exec "$CAP_NS" dotnet "$BENCH" $mode "$CAP_IF" "$CAP_MAC" "$GEN_NS" "$GEN_IF" "$GEN_MAC" "$WORK/pxbench"
  done | tee -a "$OUT"
fi
mkdir -p "$HERE/results"
cp "$OUT" "$HERE/results/latest.md"
