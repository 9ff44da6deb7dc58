#!/usr/bin/env bash
# SCIM provisioning benchmark (issue 12): 10,000 users through POST /Users
# from 4 concurrent clients against `seam serve` on a fresh PostgreSQL
# database, then filtered lookups, then EXPLAIN of the filtered queries.
#
#   bench/scimprovision/run.sh
#
# Environment: USERS (10000), CONCURRENCY (4), LOOKUPS (300 of each kind),
# PORT (18090), PGURL (postgres://postgres@127.0.0.1:5432, trust auth);
# SEAM_BIN and SCIMPROVISION_BIN run prebuilt binaries instead of building
# this tree (compare.sh runs an older commit's seam this way).
#
# It prints the wall time and latencies of the 10,000 POSTs, the database
# statements per POST (from seam's /metrics) and seam's CPU time per POST
# during provisioning, then the lookups, plans and table statistics.
set -euo pipefail

USERS=${USERS:-10000}
CONCURRENCY=${CONCURRENCY:-4}
LOOKUPS=${LOOKUPS:-300}
PORT=${PORT:-18090}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_pid=""
pgdb="seam_scim_bench_$(date +%s)_$$"
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	psql "$PGURL/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

seam=${SEAM_BIN:-$work/seam}
tool=${SCIMPROVISION_BIN:-$work/scimprovision}
if [ -z "${SEAM_BIN:-}" ]; then (cd "$root" && go build -o "$seam" ./cmd/seam); fi
if [ -z "${SCIMPROVISION_BIN:-}" ]; then (cd "$root" && go build -o "$tool" ./bench/scimprovision); fi
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); seam: ${SEAM_BIN:-built from commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . || echo ' with uncommitted changes')}"

psql "$PGURL/postgres?sslmode=disable" -qc "CREATE DATABASE $pgdb" >/dev/null
export SEAM_DATABASE_URL="$PGURL/$pgdb?sslmode=disable"
SEAM_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
export SEAM_SECRET_KEY SEAM_LIMIT_ADDRESS=0 SEAM_LIMIT_TARGET=0 SEAM_ADDR="127.0.0.1:$PORT"
base="http://$SEAM_ADDR"
"$seam" migrate >/dev/null
creds=$("$seam" project create --name scim-bench --json)
project=$(jq -r .project_id <<<"$creds")
SEAM_BENCH_SECRET=$(jq -r .secret <<<"$creds")
export SEAM_BENCH_SECRET
"$seam" serve >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$base/readyz" >/dev/null

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick=$(getconf CLK_TCK)
before=$(cpu "$server_pid")
"$tool" -url "$base" -project "$project" -users "$USERS" -concurrency "$CONCURRENCY" -lookups "$LOOKUPS" \
	-server-pid "$server_pid" -clock-ticks "$tick"
after=$(cpu "$server_pid")
echo "# load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seam serve CPU during the run (provisioning and lookups): $(( (after - before) * 1000 / tick )) ms"

# The plans of the filtered list queries on the provisioned table (after
# ANALYZE, as docs/deploy.md advises after bulk imports).
psql "$PGURL/$pgdb?sslmode=disable" -qc "ANALYZE" >/dev/null
conn=$(psql "$PGURL/$pgdb?sslmode=disable" -tAc "SELECT id FROM scim_connections LIMIT 1")
for cond in "user_name_key = 'user4242@scim-bench.test'" "external_id = 'ext-4242'" "email = 'user4242@scim-bench.test'"; do
	echo "# EXPLAIN ... WHERE connection_id = \$1 AND $cond"
	psql "$PGURL/$pgdb?sslmode=disable" -tAc "EXPLAIN SELECT member_id FROM scim_users WHERE connection_id = '$conn' AND $cond ORDER BY created_at, member_id LIMIT 100" | sed 's/^/#   /'
done
# How the run read the tables: sequential scans and rows they read, index scans.
echo "# table, seq_scan, seq_tup_read, idx_scan"
psql "$PGURL/$pgdb?sslmode=disable" -tAc "SELECT relname, seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables
	WHERE relname IN ('members', 'scim_users', 'scim_connections', 'organizations', 'projects', 'member_sessions', 'scim_group_members') ORDER BY relname" | sed 's/^/#   /'
