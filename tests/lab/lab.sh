#!/bin/bash
# Network-namespace lab with real rp-pppoe peers for PppoeProxy tests.
#
#   lab.sh up NAME [--split|--bridge] [--vlan ID] [--require-pap] [--one-per-mac]
#                                              namespaces NAME-ac / NAME-home + pppoe-server
#                                              (--one-per-mac: pppoe-server -x 1, so a ghost session
#                                              makes a redial from the same MAC fail)
#   lab.sh dial NAME [--pap] [--ipcp] [--echo S] [--ac OTHER] [--ac-peer MAC] [--timeout S]
#                                              client session; prints SESSION_ID= CLIENT_MAC= AC_MAC=
#                                              (--echo: the client also sends LCP echoes every S s)
#                                              (--ac: the session is served by lab OTHER's AC, e.g.
#                                              a second split lab's client tunnelled to OTHER's side;
#                                              --ac-peer: the MAC the AC knows the client by, when a
#                                              relay in between rewrites it)
#   lab.sh ghost NAME                          SIGKILL client peer + pppoe (no PADT) -> ghost on AC
#   lab.sh redial NAME [--timeout S] [dial opts]
#                                              ghost, then dial again at once: the dial's line plus
#                                              REDIAL_SECONDS=N.NN; fails after S s (default 15)
#   lab.sh hangup NAME                         SIGTERM client peer (pppoe sends a PADT)
#   lab.sh sessions NAME                       alive AC per-session processes: "PID SID PEER_MAC"
#   lab.sh logs NAME                           dump every lab log (for test diagnostics)
#   lab.sh down NAME                           kill everything, delete namespaces/veths (idempotent)
#   lab.sh restart-ac NAME                     SIGKILL pppoe-server and its sessions (no PADT), start it again
#
# Normal mode: NAME-a (AC ns) <-> NAME-h (home ns).
# --split: NAME-a <-> NAME-s (root ns, for the proxy server) and NAME-h <-> NAME-c (root ns,
# for the proxy client); home and AC are not linked.
# --bridge: NAME-a <-> NAME-s and NAME-h <-> NAME-c, both root-side ends ports of bridge NAME-b
# (root ns): the segment a ghost-session watcher (`pppoeproxy guard --interface NAME-b`) sits on,
# like a Linux router bridging its LAN port and the ONU. It captures on the bridge (promiscuous, it
# sees every forwarded frame) and injects there, so the kernel delivers a PADT toward the AC's port
# and a probe toward the client's port by MAC, as on a real bridge.
# --vlan ID: pppoe-server and the client speak as if on VLAN ID subinterfaces of NAME-a / NAME-h
# (see vlan_tag); the links in between (NAME-s, NAME-c, NAME-b) carry the tagged frames, and that is
# where the proxy ends and the watcher capture. No addresses or routes are configured and
# IPv6 is disabled on every lab link, so nothing but PPPoE leaves these veths.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEER="$HERE/ppp-peer.py"
PY=/usr/bin/python3            # Debian's python: has scapy; pyenv shims may not
ROOT=/tmp/ppx-lab

die() { echo "lab.sh: $*" >&2; exit 1; }

[[ $# -ge 2 ]] || die "usage: lab.sh up|dial|ghost|redial|hangup|sessions|logs|down NAME [opts]"
CMD=$1 NAME=$2; shift 2
# veth names are NAME-x and must fit IFNAMSIZ (15); keep NAME a plain short token.
[[ $NAME =~ ^[a-z0-9]{1,10}$ ]] || die "NAME must be 1-10 chars [a-z0-9]: '$NAME'"
NS_AC=$NAME-ac NS_HOME=$NAME-home
DIR=$ROOT/$NAME

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }
ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
mac_of() { ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
# A pid counts as alive unless gone or a zombie (pid 1 here reaps lazily).
alive() { local s; s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [[ $s != Z ]]; }

# Pid-file entries may be stale; only touch a pid that still runs one of our programs.
ours() { alive "$1" && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qE 'ppp-peer\.py|pppoe'; }

no_v6() {  # $1 = netns or "" for root; $2 = interface
  if [[ -n $1 ]]; then ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" 2>/dev/null || true
  else sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" 2>/dev/null || true; fi
}

# --vlan: the AC and the client stay on NAME-a / NAME-h, which behave as VLAN subinterfaces: a tc
# program tags what they send and passes them only what arrives tagged VID, untagged. Why not
# `ip link add type vlan`: lab kernels (e.g. Firecracker's) may lack 802.1Q and tc's vlan action,
# while eBPF tc programs (cls_bpf) are nearly everywhere. The programs are pinned in a bpffs that
# only lives in a throwaway mount namespace; the attached filters keep them loaded.
vlan_tag() {
  local vid=$1 ns dev
  mkdir -p "$DIR/bpf"
  unshare -m --propagation private bash -ec '
    mount -t bpf bpf "$1/bpf"
    '"$PY"' "$2" "$1/bpf" "$3"
    shift 3
    while [[ $# -gt 0 ]]; do
      tc -n "$1" qdisc add dev "$2" clsact
      tc -n "$1" filter add dev "$2" egress bpf da object-pinned "'"$DIR"'/bpf/push"
      tc -n "$1" filter add dev "$2" ingress bpf da object-pinned "'"$DIR"'/bpf/pop"
      shift 2
    done' vlan-tag "$DIR" "$HERE/vlan-tag.py" "$vid" "$NS_AC" "$NAME-a" "$NS_HOME" "$NAME-h" \
    || die "--vlan: cannot attach the tagging programs (needs cls_bpf and bpffs)"
  rmdir "$DIR/bpf" 2>/dev/null || true
  echo "$vid" > "$DIR/vlan"
}

cmd_up() {
  local split=0 bridge=0 pap=0 permac="" vlan=""
  while [[ $# -gt 0 ]]; do case $1 in
    --split) split=1 ;; --bridge) bridge=1 ;; --require-pap) pap=1 ;; --one-per-mac) permac="-x 1" ;;
    --vlan) [[ $# -ge 2 && $2 =~ ^[0-9]{1,4}$ ]] && (( $2 >= 1 && $2 <= 4094 )) || die "up: --vlan needs an ID 1-4094"; vlan=$2; shift ;;
    *) die "up: unknown option $1" ;; esac; shift; done
  (( split && bridge )) && die "up: --split and --bridge exclude each other"
  command -v pppoe-server >/dev/null || die "pppoe-server not installed (apt-get install pppoe)"
  ns_exists "$NS_AC" && die "lab $NAME already up (run: lab.sh down $NAME)"
  rm -rf "$DIR"; mkdir -p "$DIR"  # stale logs (PPX_LAB_KEEP) would confuse dial
  ip netns add "$NS_AC"; ip netns add "$NS_HOME"
  for ns in "$NS_AC" "$NS_HOME"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true
  done
  if (( split || bridge )); then
    ip link add "$NAME-a" netns "$NS_AC" type veth peer name "$NAME-s"
    ip link add "$NAME-h" netns "$NS_HOME" type veth peer name "$NAME-c"
    for i in "$NAME-s" "$NAME-c"; do no_v6 "" "$i"; ip link set "$i" up; done
    echo split > "$DIR/mode"
    if (( bridge )); then
      # No STP: ports forward at once. No address, no IPv6: the bridge carries only the lab's frames.
      ip link add "$NAME-b" type bridge stp_state 0
      no_v6 "" "$NAME-b"
      ip link set "$NAME-s" master "$NAME-b"; ip link set "$NAME-c" master "$NAME-b"
      ip link set "$NAME-b" up
      echo bridge > "$DIR/mode"
    fi
  else
    ip link add "$NAME-a" netns "$NS_AC" type veth peer name "$NAME-h" netns "$NS_HOME"
    echo direct > "$DIR/mode"
  fi
  no_v6 "$NS_AC" "$NAME-a"; no_v6 "$NS_HOME" "$NAME-h"
  ip -n "$NS_AC" link set "$NAME-a" up
  ip -n "$NS_HOME" link set "$NAME-h" up
  [[ -n $vlan ]] && vlan_tag "$vlan"

  # pppoe-server hands this file to the -q program as "file PATH"; ppp-peer.py reads it.
  { echo "logdir $DIR"; echo "lcp-echo-interval 1"; (( pap )) && echo "require-pap"; true; } \
    > "$DIR/pppoe-server-options"
  echo "$permac" > "$DIR/ac-extra"
  start_ac
  echo "LAB=$NAME AC_NS=$NS_AC HOME_NS=$NS_HOME MODE=$(cat "$DIR/mode")${vlan:+ VLAN=$vlan}"
}

start_ac() {
  # -F: stay in the foreground so we own the pid; all stdio to files so callers that
  # capture lab.sh output (C# Process) are not held open by the daemon.
  # shellcheck disable=SC2046 # ac-extra holds whole options, split on purpose
  setsid ip netns exec "$NS_AC" /usr/sbin/pppoe-server -F -I "$NAME-a" -C "LabAC-$NAME" \
    -S internet -N 4 $(cat "$DIR/ac-extra" 2>/dev/null) -L 10.0.0.1 -R 10.67.15.1 -q "$PEER" -O "$DIR/pppoe-server-options" \
    </dev/null >>"$DIR/pppoe-server.log" 2>&1 &
  echo $! > "$DIR/server.pid"
  sleep 0.3
  alive "$(cat "$DIR/server.pid")" || { cat "$DIR/pppoe-server.log" >&2; die "pppoe-server died"; }
}

# A crashed or rebooted AC: its sessions vanish without a PADT, then it serves again.
cmd_restart_ac() {
  local spid pids p
  spid=$(cat "$DIR/server.pid" 2>/dev/null) || die "lab $NAME has no AC"
  pids=$(ps --ppid "$spid" -o pid= 2>/dev/null || true)
  for p in $pids; do pids+=" $(ps --ppid "$p" -o pid= 2>/dev/null || true)"; done
  ours "$spid" && pids+=" $spid"
  kill -9 $pids 2>/dev/null || true
  for p in $pids; do while alive "$p"; do sleep 0.05; done; done
  start_ac
  echo "AC_RESTARTED=$(cat "$DIR/server.pid")"
}

cmd_dial() {
  local extra=() ac=$NAME peer="" timeout=15
  while [[ $# -gt 0 ]]; do case $1 in
    --pap) extra+=(--pap) ;; --ipcp) extra+=(--ipcp) ;;
    --echo) [[ $# -ge 2 && $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "dial: --echo needs seconds"; extra+=(--echo-interval "$2"); shift ;;
    --timeout) [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "dial: --timeout needs seconds"; timeout=$2; shift ;;
    --ac) [[ $# -ge 2 && $2 =~ ^[a-z0-9]{1,10}$ ]] || die "dial: --ac needs a lab NAME"; ac=$2; shift ;;
    --ac-peer) [[ $# -ge 2 && $2 =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] || die "dial: --ac-peer needs a MAC"; peer=$2; shift ;;
    *) die "dial: unknown option $1" ;; esac; shift; done
  ns_exists "$NS_HOME" || die "lab $NAME is not up"
  ns_exists "$ac-ac" || die "lab $ac is not up"
  local n=1; while [[ -e $DIR/client-$n.log ]]; do n=$((n + 1)); done
  local log=$DIR/client-$n.log cmac amac acdir=$ROOT/$ac
  cmac=$(mac_of "$NS_HOME" "$NAME-h"); amac=$(mac_of "$ac-ac" "$ac-a"); peer=${peer:-$cmac}
  local before; before=$(ls "$acdir"/ac-*.log 2>/dev/null || true)
  # -U: Host-Uniq tag, so several dials on one interface don't steal each other's PADOs.
  # -T 80: like pppd's usual setup, pppoe exits after 80 s without session traffic.
  setsid ip netns exec "$NS_HOME" "$PY" "$PEER" --role client \
    --pty-cmd "/usr/sbin/pppoe -I $NAME-h -T 80 -U -S internet" \
    --log "$log" --pidfile "$DIR/client-$n.pid" "${extra[@]}" </dev/null >/dev/null 2>&1 &
  local want="LCP OPENED"; [[ " ${extra[*]} " == *" --pap "* ]] && want="PAP ACKED"
  local deadline=$(( $(now_ms) + timeout * 1000 )) sid=""
  while (( $(now_ms) < deadline )); do
    if grep -q "$want" "$log" 2>/dev/null; then
      # The session id is only known to the AC side (from pppoe-server's "-e SID:MAC").
      for f in "$acdir"/ac-*.log; do
        [[ -e $f ]] || continue
        grep -qxF "$f" <<<"$before" && continue
        grep -q "LCP OPENED" "$f" && grep -q "peer=$peer " "$f" || continue
        sid=$(sed -n 's/.*SESSION sid=\([0-9]*\) .*/\1/p' "$f" | head -1)
      done
      [[ -n $sid ]] && break
    fi
    sleep 0.1
  done
  if [[ -z $sid ]]; then
    echo "--- $log" >&2; cat "$log" >&2 2>/dev/null || true
    # Don't leave a half-dialled client behind retrying discovery.
    kill -9 $(cat "$DIR/client-$n.pid" 2>/dev/null) 2>/dev/null || true
    mv "$DIR/client-$n.pid" "$DIR/client-$n.failed" 2>/dev/null || true
    die "dial: no session within $timeout s"
  fi
  echo "SESSION_ID=$sid CLIENT_MAC=$cmac AC_MAC=$amac"
}

cmd_ghost() {
  local f spid cpid pids=""
  # Freeze pppoe before its peer script: if the script died first, pppoe would see EOF on
  # stdin and send a PADT before its own SIGKILL landed (seen as a flaky test).
  for f in "$DIR"/client-*.pid; do
    [[ -e $f ]] || continue
    read -r spid cpid < "$f"
    ours "$cpid" && { kill -STOP "$cpid"; pids+=" $cpid"; }
    ours "$spid" && { kill -STOP "$spid"; pids+=" $spid"; }
    mv "$f" "${f%.pid}.ghost"
  done
  [[ -n $pids ]] || die "ghost: no client running"
  kill -9 $pids 2>/dev/null || true
  echo "KILLED=$(echo $pids | tr ' ' ,)"
}

# A client restarted without a PADT (router reboot, crash): the AC still holds the old session.
cmd_redial() {
  local timeout=15 opts=() start line
  while [[ $# -gt 0 ]]; do case $1 in
    --timeout) [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "redial: --timeout needs seconds"; timeout=$2; shift ;;
    *) opts+=("$1") ;; esac; shift; done
  cmd_ghost
  start=$(now_ms)
  line=$(cmd_dial "${opts[@]}" --timeout "$timeout") || die "redial: no new session within $timeout s"
  local took=$(( $(now_ms) - start ))
  echo "$line"
  printf 'REDIAL_SECONDS=%d.%02d\n' $(( took / 1000 )) $(( took % 1000 / 10 ))
}

cmd_hangup() {
  local f pid
  for f in "$DIR"/client-*.pid; do
    [[ -e $f ]] || continue
    read -r pid _ < "$f"; ours "$pid" && kill -TERM "$pid" 2>/dev/null || true
    mv "$f" "${f%.pid}.done"
  done
}

cmd_sessions() {
  local spid; spid=$(cat "$DIR/server.pid" 2>/dev/null) || return 0
  # pppoe-server forks one -q program per session; the relay pppoe is its child.
  { ps --ppid "$spid" -o pid=,stat=,args= 2>/dev/null || true; } | while read -r pid stat args; do
    [[ $stat == Z* || $args != *ppp-peer.py* ]] && continue
    [[ $args =~ -e\ ([0-9]+):([0-9a-fA-F:]+) ]] || continue
    echo "$pid ${BASH_REMATCH[1]} ${BASH_REMATCH[2],,}"
  done
  true  # no sessions is a normal answer, not an error
}

cmd_logs() {
  local f; for f in "$DIR"/*.log; do [[ -e $f ]] && { echo "=== $f"; cat "$f"; }; done; true
}

cmd_down() {
  local ns p pids i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pids=""
    for ns in "$NS_AC" "$NS_HOME"; do
      ns_exists "$ns" && pids+=" $(ip netns pids "$ns" 2>/dev/null || true)"
    done
    for p in $(cat "$DIR"/server.pid "$DIR"/client-*.pid "$DIR"/client-*.ghost 2>/dev/null || true); do
      ours "$p" && pids+=" $p"
    done
    pids=$(for p in $pids; do alive "$p" && echo "$p"; done | sort -u | tr '\n' ' ') || true
    [[ -z ${pids// } ]] && break
    kill -9 $pids 2>/dev/null || true
    sleep 0.1
  done
  for ns in "$NS_AC" "$NS_HOME"; do ns_exists "$ns" && ip netns del "$ns"; done
  # Root-side ends of --split veths (deleting a namespace normally takes them along).
  for i in "$NAME-b" "$NAME-s" "$NAME-c" "$NAME-a" "$NAME-h"; do
    ip link show "$i" >/dev/null 2>&1 && ip link del "$i" 2>/dev/null || true
  done
  [[ ${PPX_LAB_KEEP:-0} == 1 ]] || rm -rf "$DIR"
  true
}

case $CMD in
  up) cmd_up "$@" ;; dial) cmd_dial "$@" ;; ghost) cmd_ghost ;; redial) cmd_redial "$@" ;; hangup) cmd_hangup ;;
  sessions) cmd_sessions ;; logs) cmd_logs ;; down) cmd_down ;; restart-ac) cmd_restart_ac ;;
  *) die "unknown command $CMD" ;;
esac
