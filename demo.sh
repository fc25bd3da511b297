#!/usr/bin/env bash
# The main job on a built-in default: find the PPPoE sessions in the shipped sample capture —
# a healthy session and a ghost one whose router vanished without a PADT.
set -euo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
dotnet build src/PppoeProxy.Cli -c Release -nologo >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 1; }
rm -f "$log"
exec dotnet src/PppoeProxy.Cli/bin/Release/net8.0/pppoeproxy.dll sessions --read samples/sample.pcap "$@"
