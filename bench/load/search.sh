#!/usr/bin/env bash
# Search latency against page size and table size, two builds in one run.
#
#   bench/load/search.sh                 (PostgreSQL only)
#
# Environment: BEFORE (a commit to compare against, default main), SIZES
# ("1000 10000": organizations in the table, and members in the searched
# organization), PAGES ("10 100 1000"), CONCURRENCY (1), DURATION (5s),
# WARMUP (1s), PORT (18081), PGURL, OUT (JSON reports, one per line).
#
# For each table size it seeds one fresh PostgreSQL database with SQL (every
# organization has one active SAML connection; one organization holds SIZE
# members, each with one SSO registration), then for each build starts
# `seam serve` on that same database and runs org-search and member-search
# at each page size. The builds alternate per table size, so both see the
# same minutes of the shared machine as closely as possible.
set -euo pipefail

BEFORE=${BEFORE:-main}
SIZES=${SIZES:-"1000 10000"}
PAGES=${PAGES:-"10 100 1000"}
CONCURRENCY=${CONCURRENCY:-1}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
PORT=${PORT:-18081}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
OUT=${OUT:-}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_pid=""
pgdb=""
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	if [ -n "$pgdb" ]; then psql "$PGURL/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

before_rev=$(cd "$root" && git rev-parse --short "$BEFORE")
after_rev=$(cd "$root" && git rev-parse --short HEAD)
mkdir -p "$work/before-src"
(cd "$root" && git archive "$BEFORE" | tar -x -C "$work/before-src")
(cd "$work/before-src" && go build -o "$work/seam-before" ./cmd/seam)
(cd "$root" && go build -o "$work/seam-after" ./cmd/seam && go build -o "$work/load" ./bench/load)

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# before $before_rev ($BEFORE), after $after_rev; uncommitted changes in the server's packages: $(cd "$root" && git status --short cmd internal ':(exclude)*_test.go' | grep -v '^??' | wc -l) files"
echo "# PostgreSQL, concurrency $CONCURRENCY, duration $DURATION, warm-up $WARMUP"

export SEAM_ADDR="127.0.0.1:$PORT"
base="http://$SEAM_ADDR"
SEAM_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
export SEAM_SECRET_KEY

for size in $SIZES; do
	pgdb="seam_search_$(date +%s)_$$"
	psql "$PGURL/postgres?sslmode=disable" -qc "CREATE DATABASE $pgdb" >/dev/null
	export SEAM_DATABASE_URL="$PGURL/$pgdb?sslmode=disable"
	"$work/seam-after" migrate >/dev/null
	creds=$("$work/seam-after" project create --name "search-$size" --json)
	project=$(jq -r .project_id <<<"$creds")
	SEAM_BENCH_SECRET=$(jq -r .secret <<<"$creds")
	export SEAM_BENCH_SECRET
	org="organization-test-00000000-0000-4000-8000-000000000000"
	psql -v ON_ERROR_STOP=1 -q "$SEAM_DATABASE_URL" >/dev/null <<SQL
INSERT INTO organizations (id, project_id, name, slug, sso_jit_provisioning, created_at, updated_at)
SELECT CASE WHEN i = 0 THEN '$org' ELSE 'organization-test-' || gen_random_uuid() END, '$project',
       'Org ' || i, 'org-' || i, 'ALL_ALLOWED', now() - make_interval(secs => $size - i), now()
FROM generate_series(0, $size - 1) AS i;
INSERT INTO sso_connections (id, project_id, organization_id, kind, status, display_name, config, created_at, updated_at)
SELECT 'saml-connection-test-' || gen_random_uuid(), project_id, id, 'saml', 'active', 'IdP of ' || name,
       '{"identity_provider":"okta"}', created_at, created_at
FROM organizations WHERE project_id = '$project';
INSERT INTO members (id, project_id, organization_id, email, name, status, created_at, updated_at)
SELECT 'member-test-' || gen_random_uuid(), '$project', '$org', 'm' || i || '@example.com', 'Member ' || i, 'active',
       now() - make_interval(secs => $size - i), now()
FROM generate_series(0, $size - 1) AS i;
INSERT INTO sso_registrations (id, project_id, member_id, connection_id, external_id, created_at, updated_at)
SELECT 'sso-registration-test-' || gen_random_uuid(), m.project_id, m.id, c.id, m.email, m.created_at, m.created_at
FROM members m JOIN sso_connections c ON c.organization_id = m.organization_id WHERE m.organization_id = '$org';
ANALYZE;
SQL
	for build in before after; do
		"$work/seam-$build" serve >"$work/serve.out" 2>"$work/serve.log" &
		server_pid=$!
		for _ in $(seq 1 100); do
			curl -fs "$base/readyz" >/dev/null 2>&1 && break
			sleep 0.1
		done
		curl -fs "$base/readyz" >/dev/null
		for scenario in org-search member-search; do
			for page in $PAGES; do
				json=$("$work/load" -url "$base" -project "$project" -organization "$org" -scenario "$scenario" -page-size "$page" \
					-concurrency "$CONCURRENCY" -duration "$DURATION" -warmup "$WARMUP" -label "postgres $build rows=$size page=$page" \
					-server-pid "$server_pid" -json)
				[ -n "$OUT" ] && echo "$json" >>"$OUT"
				jq -r '"\(.scenario) [\(.label)]: \(.requests) requests, \(.errors) errors, \(.requests_per_second|floor) req/s, p50 \(.p50_ms) ms, p95 \(.p95_ms) ms, p99 \(.p99_ms) ms, server CPU \(.server_cpu_ms_per_request) ms/req"' <<<"$json"
			done
		done
		kill "$server_pid"
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	done
	psql "$PGURL/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null
	pgdb=""
done
