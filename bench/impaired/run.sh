#!/bin/bash
# Impaired-path benchmark (issue 14 item 5): TCP/TLS vs UDP tunnel through a WAN with loss and delay.
# Run as root: bench/impaired/run.sh [--quick] [--transports tcp,udp]
#              bench/impaired/run.sh --stage-check LOSS_PCT DELAY_MS   (the WAN alone; the xunit smoke test)
#
# Lab (own namespaces, names $P*, P=pxw; nothing leaves them):
#   ${P}home[${P}h] - [${P}c1]${P}cli[${P}c2] -WAN- [${P}wa]${P}wan[${P}wb] -WAN- [${P}s2]${P}srv[${P}s1] - [${P}a]${P}ac
#   pppoeproxy client in ${P}cli dials 10.99.0.2 (pppoeproxy server in ${P}srv) across ${P}wan, where
#   pxwan stage holds each frame DELAY = RTT/2 ms each way and nftables (netdev ingress, both
#   directions) drops LOSS % of it. pxbench gen (bench/pxbench.c) offers PPPoE session frames in
#   ${P}home; pxwan sink in ${P}ac counts them: delivered fraction, one-way latency, longest stall.
#   The WAN's own figures come from the same gen/sink straight across it (${P}c2 -> ${P}s2, no proxy).
# Results: table on stdout, JSON in bench/results/impaired-latest.json. Not part of run-tests.sh.
#   --quick           shorter trials and searches (under 3 min); the full run is under ~10 min
#   --transports L    comma list of tcp,udp (default both; udp needs a pppoeproxy with --transport)
#   --clean-only      the clean-path rates only (no WAN latency, no cells, no JSON): for iterating
# Env: PXW_PROXY=path (another pppoeproxy build), PXW_RATE (offered frames/s, default 20000),
#      PXW_LEN (offered frame bytes, default 1514), PXW_REPEAT (extra 2 %/20 ms trials per transport),
#      PXW_CC (the tunnel TCP's congestion control in both ends' namespaces, default cubic).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH="$(dirname "$HERE")"
REPO="$(dirname "$BENCH")"
QUICK=0 CLEAN=0 TRANSPORTS="tcp,udp" CHECK=""
while (($#)); do case $1 in
  --quick) QUICK=1 ;;
  --clean-only) CLEAN=1 ;;
  --transports) TRANSPORTS=$2; shift ;;
  --stage-check) CHECK="$2 $3"; shift 2 ;;
  *) echo "usage: $0 [--quick] [--clean-only] [--transports tcp,udp] | --stage-check LOSS_PCT DELAY_MS" >&2; exit 2 ;; esac; shift; done
[[ $(id -u) -eq 0 ]] || { echo "run.sh: needs root (namespaces, AF_PACKET, nftables)" >&2; exit 1; }
for t in gcc nft ethtool; do command -v $t >/dev/null || { echo "run.sh: needs $t (apt-get install gcc nftables ethtool)" >&2; exit 1; }; done

P=${PXW_PREFIX:-pxw}; [[ -n $CHECK ]] && P=${PXW_PREFIX:-pxwt}  # the smoke test never meets a bench run
RATE=${PXW_RATE:-5000} LEN=${PXW_LEN:-1514} CC=${PXW_CC:-cubic}
TRIAL_S=8 SEARCH_S=3 STEPS=6 REPEAT=${PXW_REPEAT:-2} WARM_S=${PXW_WARM_S:-20} IDLE_MS=1500
HI1514=100000 HI64=400000
# Quick: searches start lower (a rate found loss-free at the start is reported as a lower bound, "≥").
((QUICK)) && { TRIAL_S=3; SEARCH_S=2; STEPS=3; REPEAT=${PXW_REPEAT:-0}; WARM_S=${PXW_WARM_S:-8}; IDLE_MS=1000; HI1514=40000 HI64=100000; }
PORT=${PXW_PORT:-39481}
# The WAN stage, generator and sink run SCHED_FIFO (they sleep in poll/nanosleep between batches) so
# that on a busy VM a stall or a late frame is the tunnel's, not the measuring tools'. Not during the
# rate searches, where the generator may spin: PXW_RT=0 turns it off.
RT=(chrt -f 5); [[ ${PXW_RT:-1} == 1 ]] || RT=()
WORK=$(mktemp -d /tmp/pxwan.XXXXXX)
PROXY=${PXW_PROXY:-$REPO/src/PppoeProxy.Cli/bin/Release/net8.0/pppoeproxy}
RESULTS=$WORK/results.tsv
export DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1
NSS="${P}home ${P}cli ${P}wan ${P}srv ${P}ac"
CLIENT_PID="" SERVER_PID="" STAGE_PID="" ALLOWED_CC="" SEARCHING=0

log() { echo "[$(date +%T)] $*" >&2; }

lab_down() {
  local ns
  for ns in $NSS; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
  for ns in $NSS; do ip netns del "$ns" 2>/dev/null || true; done
}
cleanup() {
  set +e
  stop_proxies
  lab_down
  [[ -n $ALLOWED_CC ]] && sysctl -qw net.ipv4.tcp_allowed_congestion_control="$ALLOWED_CC"
  [[ ${PXW_KEEP:-0} == 1 ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build() {
  gcc -O2 -Wall -o "$WORK/pxwan" "$HERE/pxwan.c"
  gcc -O2 -Wall -o "$WORK/pxbench" "$BENCH/pxbench.c"
  if [[ -z $CHECK && -z ${PXW_PROXY:-} ]]; then
    log "building pppoeproxy (Release)"
    dotnet build "$REPO/src/PppoeProxy.Cli" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
  fi
}

mac_of() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
# Offloads off on the WAN: the stage must see real 1500-byte packets with real checksums (a TSO
# super-packet or a CHECKSUM_PARTIAL one would not survive a packet socket's resend).
no_offload() { ip netns exec "$1" ethtool -K "$2" tx off sg off tso off gso off gro off >/dev/null 2>&1 || true; }

lab_up() {
  lab_down
  local ns
  for ns in $NSS; do
    ip netns add "$ns"; ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip link add ${P}h netns ${P}home type veth peer name ${P}c1 netns ${P}cli
  ip link add ${P}c2 netns ${P}cli type veth peer name ${P}wa netns ${P}wan
  ip link add ${P}wb netns ${P}wan type veth peer name ${P}s2 netns ${P}srv
  ip link add ${P}s1 netns ${P}srv type veth peer name ${P}a netns ${P}ac
  for l in "${P}home ${P}h" "${P}cli ${P}c1" "${P}cli ${P}c2" "${P}wan ${P}wa" "${P}wan ${P}wb" "${P}srv ${P}s2" "${P}srv ${P}s1" "${P}ac ${P}a"; do
    set -- $l; ip -n "$1" link set "$2" up
  done
  for l in "${P}cli ${P}c2" "${P}wan ${P}wa" "${P}wan ${P}wb" "${P}srv ${P}s2"; do set -- $l; no_offload "$1" "$2"; done
  ip -n ${P}wan link set ${P}wa promisc on; ip -n ${P}wan link set ${P}wb promisc on
  # The tunnel's TCP runs with CUBIC, the Linux and Windows default, unless PXW_CC says otherwise
  # (this VM's own default is BBR, which shrugs off random loss as few real paths' senders would).
  # A namespace may only pick one of the host's allowed list: CC joins it for the run, then it is restored.
  if ! ip netns exec ${P}cli sysctl -qw net.ipv4.tcp_congestion_control="$CC" 2>/dev/null; then
    ALLOWED_CC=$(sysctl -n net.ipv4.tcp_allowed_congestion_control)
    sysctl -qw net.ipv4.tcp_allowed_congestion_control="$ALLOWED_CC $CC"
    log "host: $CC added to net.ipv4.tcp_allowed_congestion_control for the run (restored at exit)"
  fi
  for ns in ${P}cli ${P}srv; do ip netns exec $ns sysctl -qw net.ipv4.tcp_congestion_control="$CC"; done
  ip -n ${P}cli addr add 10.99.0.1/24 dev ${P}c2
  ip -n ${P}srv addr add 10.99.0.2/24 dev ${P}s2
  HMAC=$(mac_of ${P}home ${P}h) AMAC=$(mac_of ${P}ac ${P}a)
  C2MAC=$(mac_of ${P}cli ${P}c2) S2MAC=$(mac_of ${P}srv ${P}s2)
}

# wan LOSS_PCT DELAY_MS: loss as nftables rules (both directions, everything but ARP so the ends keep
# finding each other), the delay by (re)starting the stage only when it changes.
WAN_DELAY=""
wan() {
  local loss=$1 delay=$2 per10k
  per10k=$(awk -v l="$loss" 'BEGIN { printf "%d", l * 100 + 0.5 }')
  ip netns exec ${P}wan nft delete table netdev pxwloss 2>/dev/null || true
  if ((per10k > 0)); then
    ip netns exec ${P}wan nft -f - <<EOF
table netdev pxwloss {
  chain a { type filter hook ingress device "${P}wa" priority 0; ether type != arp numgen random mod 10000 < $per10k counter drop; }
  chain b { type filter hook ingress device "${P}wb" priority 0; ether type != arp numgen random mod 10000 < $per10k counter drop; }
}
EOF
  fi
  # The delay changes in place (SIGHUP): restarting the stage would lose the tunnel's packets in flight.
  echo "$delay" >"$WORK/stage.ctl"
  if [[ -z $STAGE_PID ]]; then
    ip netns exec ${P}wan "${RT[@]}" "$WORK/pxwan" stage ${P}wa ${P}wb "$delay" "$WORK/stage.ctl" >"$WORK/stage.log" 2>&1 &
    STAGE_PID=$!
    for _ in $(seq 50); do grep -q ready "$WORK/stage.log" && break; sleep 0.05; done
  elif [[ $delay != "$WAN_DELAY" ]]; then
    kill -HUP "$STAGE_PID"
    for _ in $(seq 50); do [[ $(tail -n 1 "$WORK/stage.log") == "delay_ms=$delay" ]] && break; sleep 0.02; done
  fi
  WAN_DELAY=$delay
}
stage_stop() {
  [[ -n $STAGE_PID ]] || return 0
  kill -TERM "$STAGE_PID" 2>/dev/null || true; wait "$STAGE_PID" 2>/dev/null || true
  STAGE_PID=""; WAN_DELAY=""
  log "  stage: $(tail -n 1 "$WORK/stage.log")"
}
nft_drops() { ip netns exec ${P}wan nft list table netdev pxwloss 2>/dev/null | grep -o 'packets [0-9]*' | awk '{s += $2} END {print s + 0}'; }

certs() {
  [[ -e $WORK/srv.crt ]] && return
  SFP=$("$PROXY" cert new --out "$WORK/srv" | tail -1)
  CFP=$("$PROXY" cert new --out "$WORK/cli" | tail -1)
}

start_proxies() {  # start_proxies tcp|udp: TLS or DTLS with pinned certificates, both ends in their namespaces
  local t=$1 tr=()
  certs
  [[ $t == tcp ]] || tr=(--transport "$t")   # no flag for tcp: builds without --transport work too
  ip netns exec ${P}srv "$PROXY" server -i ${P}s1 --listen 10.99.0.2:$PORT --allow 10.99.0.0/24 "${tr[@]}" --stats 1 --status-socket none \
    --cert "$WORK/srv.crt" --key "$WORK/srv.key" --trust "$CFP" >"$WORK/server-$t.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q "server listening" "$WORK/server-$t.log" && break; sleep 0.1; done
  ip netns exec ${P}cli "$PROXY" client -i ${P}c1 --server 10.99.0.2:$PORT "${tr[@]}" --stats 1 --status-socket none \
    --cert "$WORK/cli.crt" --key "$WORK/cli.key" --trust "$SFP" >"$WORK/client-$t.log" 2>&1 &
  CLIENT_PID=$!
  for _ in $(seq 150); do grep -q "tunnel connected" "$WORK/server-$t.log" && break; sleep 0.1; done
  grep -q "tunnel connected" "$WORK/server-$t.log" || { cat "$WORK"/*-$t.log >&2; echo "tunnel ($t) did not come up" >&2; exit 1; }
  # The server learns the client MAC from the first frames; the JIT warms up on the next ones.
  ip netns exec ${P}home "$WORK/pxbench" gen ${P}h "$HMAC" "$AMAC" 60 1000 0.2 >/dev/null
  # Then an unmeasured warm-up (the caller keeps the WAN clean meanwhile): a fresh .NET process spends
  # its first ~25 s JIT-compiling (tiered compilation, seen with perf sched in bench/run.sh's latency
  # windows), and the 1.5-s warm-up of before left that inside every cell: UDP stalled 73 ms on a clean path.
  log "  $t: ${WARM_S}-s warm-up"
  ip netns exec ${P}home "$WORK/pxbench" gen ${P}h "$HMAC" "$AMAC" "$LEN" 2000 "$WARM_S" >/dev/null
  sleep 0.3
}
stop_proxies() {
  local p
  for p in $CLIENT_PID $SERVER_PID; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $CLIENT_PID $SERVER_PID; do timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true; done
  CLIENT_PID="" SERVER_PID=""
}

drops_of() { grep -E 'stats (client|server) ' "$1" | tail -n 1 | grep -o 'drops .*$' | sed 's/^drops //' || true; }
kv() { sed -n "s/.*\\b$1=\\([0-9.-]*\\).*/\\1/p" <<<"$2"; }

# trial PATH LEN RATE SECS: PATH proxy (home -> ac through both proxies and the WAN) or direct
# (cli -> srv across the WAN alone). Sets SENT UNIQ FRAC and SINK (the sink's line).
trial() {
  local path=$1 len=$2 rate=$3 secs=$4 out gns gif gsrc gdst sns sif spid rt=()
  ((rate <= 20000 && !SEARCHING)) && rt=("${RT[@]}")
  if [[ $path == proxy ]]; then gns=${P}home gif=${P}h gsrc=$HMAC gdst=$AMAC sns=${P}ac sif=${P}a
  else gns=${P}cli gif=${P}c2 gsrc=$C2MAC gdst=$S2MAC sns=${P}srv sif=${P}s2; fi
  ip netns exec "$sns" timeout $((secs + 20)) "${rt[@]}" "$WORK/pxwan" sink "$sif" $((secs + 5)) $IDLE_MS "$rate" "$secs" >"$WORK/sink.out" &
  spid=$!
  for _ in $(seq 50); do grep -q ready "$WORK/sink.out" && break; sleep 0.05; done
  out=$(ip netns exec "$gns" timeout $((secs + 10)) "${rt[@]}" "$WORK/pxbench" gen "$gif" "$gsrc" "$gdst" "$len" "$rate" "$secs")
  wait "$spid" || true
  SINK=$(tail -n 1 "$WORK/sink.out")
  SENT=$(kv sent "$out"); UNIQ=$(kv uniq "$SINK"); UNIQ=${UNIQ:-0}
  FRAC=$(awk -v s="$SENT" -v u="$UNIQ" 'BEGIN { printf "%.5f", (s > 0 ? u / s : 0) }')
  log "  $path $len B @ $rate/s ${secs}s: sent $SENT, delivered $FRAC; $SINK"
}

# search PATH LEN HI: highest rate delivered whole (< 0.01 % lost), binary search in 1,000s.
search() {
  local path=$1 len=$2 hi=$3 lo=0 mid
  log "$path $len B: loss-free rate, searching up to $hi/s"
  # As the header says, the searches' generator and sink run at normal priority: SCHED_FIFO at <= 20 k/s
  # (the cells' rates) starved the proxies of CPU for up to a second on this 2-core VM (perf sched:
  # the UDP client's writer runnable 1.2 s), so a search found 15 k loss-free but 25 k lossy.
  SEARCHING=1
  BEST_SENT=0 CAPPED=0
  trial "$path" "$len" "$hi" $SEARCH_S
  # The generator may fall short of a high rate on a busy VM: what it achieved is the figure then.
  if awk -v f="$FRAC" 'BEGIN { exit !(f > 0.9999) }'; then lo=$hi BEST_SENT=$((SENT / SEARCH_S)) CAPPED=1
  else
    for _ in $(seq $STEPS); do
      mid=$(( (lo + hi) / 2 / 1000 * 1000 )); ((mid > lo)) || break
      trial "$path" "$len" "$mid" $SEARCH_S
      if awk -v f="$FRAC" 'BEGIN { exit !(f > 0.9999) }'; then lo=$mid BEST_SENT=$((SENT / SEARCH_S)); else hi=$mid; fi
    done
  fi
  BEST=$lo SEARCHING=0
}

record() {  # record KIND NAME LOSS RTT: one impaired-path row from the last trial
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$RATE" "$SENT" "$UNIQ" \
    "$(kv lat_p50_us "$SINK")" "$(kv lat_p99_us "$SINK")" "$(kv stall_ms "$SINK")" "$(kv lat_max_us "$SINK")" "$(nft_drops)" "$(kv ontime_stall_ms "$SINK")" >>"$RESULTS"
}

stage_check() {  # the WAN alone: pxbench ping across it and back, echoed by a reflecting sink
  set -- $CHECK
  wan "$1" "$2"
  ip netns exec ${P}srv timeout 20 "$WORK/pxbench" sink ${P}s2 12 3000 reflect >"$WORK/reflect.out" &
  local spid=$!; sleep 0.3
  local out; out=$(ip netns exec ${P}cli timeout 15 "$WORK/pxbench" ping ${P}c2 "$C2MAC" "$S2MAC" 1000 2)
  kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null || true
  echo "stage-check loss_pct=$1 delay_ms=$2 $out nft_drops=$(nft_drops)"
  stage_stop
  echo "stage-check stage $(tail -n 1 "$WORK/stage.log")"
}

build
lab_up
if [[ -n $CHECK ]]; then stage_check; exit 0; fi
IFS=, read -ra TRS <<<"$TRANSPORTS"
: >"$RESULTS"
printf 'meta\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(hostname)" "$(nproc)" "$(uptime | sed 's/.*load average: //')" "$QUICK" \
  "$(git -C "$REPO" rev-parse --short HEAD)" "$RATE" "$LEN" "$TRIAL_S" "$CC" "$("$PROXY" --version 2>/dev/null | head -n 1 || true)" >>"$RESULTS"
LOSSES="0 0.5 2" RTTS="20 60"

# The WAN alone: its capacity (clean, no delay; the stage must not be what limits the proxies) and its
# own one-way latency at each RTT under the offered load (what "added latency" is measured against).
wan 0 0
search direct 1514 $HI1514; printf 'rate\tdirect\t1514\t%s\t%s\t%s\n' "$BEST" "$BEST_SENT" "$CAPPED" >>"$RESULTS"
((CLEAN)) || for rtt in $RTTS; do
  wan 0 $((rtt / 2)); trial direct "$LEN" "$RATE" "$TRIAL_S"; record wan direct 0 "$rtt"
done

# Each cell gets a fresh tunnel (new processes, so a new TCP connection): a TCP tunnel that fell behind
# at 2 % loss holds seconds of frames in its buffers, and CUBIC leaves the loss with a small window
# that takes tens of seconds to grow back at 60 ms (tried: one warm pair for all cells delivered half
# the frames of a clean 60-ms cell that followed the 2 % ones). The warm-up runs on the clean WAN,
# long enough for the runtime's JIT, and the cell's loss and delay are set only after it.
cell() {  # cell T LOSS RTT KIND
  wan 0 0
  log "$1: loss $2 %, RTT $3 ms${4/cell/}"
  start_proxies "$1"
  wan "$2" $(($3 / 2))
  trial proxy "$LEN" "$RATE" "$TRIAL_S"; record "$4" "$1" "$2" "$3"
  log "  drops: client [$(drops_of "$WORK/client-$1.log")] server [$(drops_of "$WORK/server-$1.log")]"
  stop_proxies
}
for t in "${TRS[@]}"; do
  wan 0 0
  log "transport $t: clean-path rates"
  start_proxies "$t"
  search proxy 1514 $HI1514; printf 'rate\t%s\t1514\t%s\t%s\t%s\n' "$t" "$BEST" "$BEST_SENT" "$CAPPED" >>"$RESULTS"
  search proxy 64 $HI64; printf 'rate\t%s\t64\t%s\t%s\t%s\n' "$t" "$BEST" "$BEST_SENT" "$CAPPED" >>"$RESULTS"
  log "  drops: client [$(drops_of "$WORK/client-$t.log")] server [$(drops_of "$WORK/server-$t.log")]"
  stop_proxies
  ((CLEAN)) && continue
  for rtt in $RTTS; do
    for loss in $LOSSES; do
      cell "$t" "$loss" "$rtt" cell
      # The key ratio (longest stall at 2 %, 20 ms) is repeated: one trial on a shared VM is noisy.
      if [[ $loss == 2 && $rtt == 20 ]]; then for ((r = 0; r < REPEAT; r++)); do cell "$t" "$loss" "$rtt" repeat; done; fi
    done
  done
done
stage_stop
if ((CLEAN)); then grep '^rate' "$RESULTS"; exit 0; fi
mkdir -p "$BENCH/results"
python3 "$HERE/report.py" "$RESULTS" "$BENCH/results/impaired-latest.json"
