#!/usr/bin/env bash
# Runs the verifier benchmarks and keeps the raw output with its provenance.
#
#   bench/samlverify/run.sh NAME [extra go test flags]
#
# writes bench/results/samlverify-NAME.txt (go test output, benchstat input)
# with a header of comment lines: date, commit, state of internal/saml in the
# working tree (other engineers edit it; the binary is built from the working
# tree), machine and load average before and after.
set -euo pipefail
name=${1:?usage: run.sh NAME [go test flags]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/bench/results/samlverify-$name.txt"
mkdir -p "$root/bench/results"
cd "$root"
{
	echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# commit: $(git rev-parse --short HEAD)"
	dirty=$(git status --short internal/saml | tr '\n' ' ')
	echo "# internal/saml working tree: ${dirty:-clean}"
	echo "# internal/saml last commit: $(git log -1 --format='%h %s' -- internal/saml)"
	echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version)"
	echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# command: go test -run '^\$' -bench . -benchmem -count 6 $* ./bench/samlverify"
} >"$out"
go test -run '^$' -bench . -benchmem -count 6 "$@" -timeout 60m ./bench/samlverify >>"$out" 2>&1
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
echo "$out"
