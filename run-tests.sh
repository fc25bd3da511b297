#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine with the .NET SDK.
# Installs the real peers the tests use (libpcap, rp-pppoe, tshark, tcpdump, scapy), builds,
# runs xunit (which also runs Pester when pwsh is on PATH) and ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh

dotnet build PppoeProxy.sln -c Release -nologo -v quiet -clp:ErrorsOnly\;NoSummary

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
set +e
dotnet test tests/PppoeProxy.Tests/PppoeProxy.Tests.csproj -c Release --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
set -e

# xunit's own summary line is not the plain "N passed, N failed" CI reads: count from the trx.
trx=$(find "$results" -name '*.trx' | head -n 1)
if [[ -z "$trx" ]]; then
  echo "run-tests: no test results (build or test host failed)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
skipped=$((total - executed))
failed=$((failed + $(get error) + $(get timeout) + $(get aborted)))
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ $status -ne 0 || $failed -ne 0 ]]; then exit 1; fi
