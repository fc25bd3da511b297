#!/usr/bin/env bash
# Installs the pinned pwsh (the PowerShell .NET tool) and Pester into the repo's .tools/, never into
# the user's global tools or module paths. Prints the pwsh path. Idempotent: a second run does nothing.
#   PWSH_VERSION=7.6.9  PESTER_VERSION=5.7.1 (the versions the tests pin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
pwsh_version=7.6.9
pester_version=5.7.1
mkdir -p "$tools"
if [[ ! -x "$tools/pwsh/pwsh" ]] || ! "$tools/pwsh/pwsh" -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$pwsh_version"; then
  rm -rf "$tools/pwsh"
  dotnet tool install PowerShell --version "$pwsh_version" --tool-path "$tools/pwsh" >&2
fi
pester="$tools/modules/Pester"
if [[ ! -f "$pester/Pester.psd1" ]]; then
  dotnet restore "$root/scripts/tools/pester-restore.proj" --packages "$tools/nuget" -nologo -v quiet >&2
  mkdir -p "$tools/modules"
  rm -rf "$pester"
  ln -s "$tools/nuget/pester/$pester_version/tools" "$pester"
fi
echo "$tools/pwsh/pwsh"
