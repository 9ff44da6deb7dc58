#!/usr/bin/env bash
# Runs the verifier benchmarks and keeps the raw output with its provenance.
#
#   bench/samlverify/run.sh NAME [test binary flags, e.g. -test.benchtime 2s]
#
# The suite runs ROUNDS times (default 6) with -count 1 rather than once with
# -count 6: go test repeats each sub-benchmark back to back, so on a shared
# machine one library would be measured in a quiet minute and another in a
# busy one; rounds interleave the libraries.
#
# writes bench/results/samlverify-NAME.txt (go test output, benchstat input)
# with a header of comment lines: date, commit, state of internal/saml in the
# working tree (other engineers edit it; the binary is built from the working
# tree), machine and load average before and after.
set -euo pipefail
name=${1:?usage: run.sh NAME [test binary flags]}
shift
rounds=${ROUNDS:-6}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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
	echo "# command: $rounds x go test -run '^\$' -bench . -benchmem -count 1 ./bench/samlverify (as a compiled test binary) $*"
} >"$out"
go test -c -o "$tmp/samlverify.test" ./bench/samlverify
for i in $(seq 1 "$rounds"); do
	echo "# round $i, load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
	(cd bench/samlverify && "$tmp/samlverify.test" -test.run '^$' -test.bench . -test.benchmem -test.count 1 "$@" -test.timeout 60m) >>"$out" 2>&1
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
echo "$out"
