#!/usr/bin/env bash
# Installs the Debian packages PppoeProxy's tests and demo use, if any is missing:
# libpcap (capture), rp-pppoe (the real AC and client peers), tshark/tcpdump (independent
# decoders), scapy (frame crafting), iproute2 (namespaces), nftables and ethtool (the impaired-path
# bench's WAN and its smoke test).
set -euo pipefail
packages=(libpcap0.8 pppoe tshark tcpdump python3-scapy iproute2 procps nftables ethtool)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "missing packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
