#!/usr/bin/env bash
# SCIM provisioning, an older commit against this tree, alternated: each
# round runs both (old first in odd rounds, new first in even ones) through
# run.sh on fresh databases, so that the machine's noise falls on both.
#
#   bench/scimprovision/compare.sh
#
# Environment: OLD (the commit to compare against, 5422317), ROUNDS (3),
# USERS (2000), LOOKUPS (0), and run.sh's.
set -euo pipefail

OLD=${OLD:-5422317}
ROUNDS=${ROUNDS:-3}
export USERS=${USERS:-2000} LOOKUPS=${LOOKUPS:-0}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/old"
git -C "$root" archive "$OLD" | tar -x -C "$work/old"
(cd "$work/old" && go build -o "$work/seam-old" ./cmd/seam)
(cd "$root" && go build -o "$work/seam-new" ./cmd/seam && go build -o "$work/scimprovision" ./bench/scimprovision)
new="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . || echo '+changes')"
echo "# old = $OLD, new = $new; $USERS users, ${CONCURRENCY:-4} clients, $ROUNDS rounds"

for r in $(seq 1 "$ROUNDS"); do
	order="old new"
	if [ $((r % 2)) -eq 0 ]; then order="new old"; fi
	for v in $order; do
		SEAM_BIN="$work/seam-$v" SCIMPROVISION_BIN="$work/scimprovision" "$root/bench/scimprovision/run.sh" 2>&1 |
			grep -v '^#   \|^# EXPLAIN\|^# table' | sed "s/^/[round $r $v] /"
	done
done
