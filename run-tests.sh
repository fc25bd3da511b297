#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine with the .NET SDK.
# Installs the real peers the tests use (libpcap, rp-pppoe, tshark, tcpdump, scapy) and the pinned
# pwsh 7.6.9 and Pester 5.7.1 into .tools/ (never the user's global setup), builds, runs xunit and
# then Pester, and ends with one "N passed, N failed" line counting both.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-deps.sh
pwsh=$(scripts/install-pwsh.sh)

dotnet build PppoeProxy.sln -c Release -nologo -v quiet -clp:ErrorsOnly\;NoSummary

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
set +e
dotnet test tests/PppoeProxy.Tests/PppoeProxy.Tests.csproj -c Release --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
"$pwsh" -NoProfile -NonInteractive -File scripts/run-pester.ps1 -CountsFile "$results/pester.counts"
pester_status=$?
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
echo "run-tests: xunit passed=${passed} failed=${failed} skipped=${skipped}"
# CI shows only the tail of the output: name the failed xunit tests here, after Pester's output.
if [[ $failed -ne 0 ]]; then
  /usr/bin/python3 - "$trx" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") != "Passed" and r.get("outcome") != "NotExecuted":
        msg = r.find(".//t:Message", ns)
        first = (msg.text or "").strip().splitlines()[:3] if msg is not None else []
        print("run-tests: FAILED " + r.get("testName", "?") + (": " + " | ".join(first) if first else ""))
PY
fi
if [[ -f "$results/pester.counts" ]]; then
  read -r p_passed p_failed p_skipped <"$results/pester.counts"
else
  echo "run-tests: Pester produced no counts (pwsh or Pester failed to start)" >&2
  p_passed=0; p_failed=1; p_skipped=0
fi
passed=$((passed + p_passed)); failed=$((failed + p_failed)); skipped=$((skipped + p_skipped))
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ $status -ne 0 || $pester_status -ne 0 || $failed -ne 0 ]]; then exit 1; fi
