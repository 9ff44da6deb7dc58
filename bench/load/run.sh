#!/usr/bin/env bash
# Runs the load generator against `seam serve` on each backend.
#
#   bench/load/run.sh [sqlite] [postgres]        (default: both)
#
# Environment: CONCURRENCY (8), RATE (operations per second all clients
# together start at most; default 0, as fast as answered), DURATION (10s), WARMUP (2s), PORT (18080),
# SCENARIOS ("jwks org-get sessions-authenticate sessions-authenticate-jwt
# org-create"; also saml-login, oidc-login, acs-garbage, acs-untrusted-signature, the
# searches and the sso-* ones: go run ./bench/load -h lists them), OUT (a file for the JSON reports, one per line; default none),
# PGURL (postgres://postgres@127.0.0.1:5432, trust auth), SEAM_BIN (a seam
# binary to run instead of building ./cmd/seam, e.g. an older commit's, to
# compare two builds in one session; the load generator is always built
# from this tree), EXTRA_SESSIONS (PostgreSQL only: rows of other members'
# sessions added to member_sessions with generate_series before the
# scenarios run, then ANALYZE, to measure how authenticate scales with the
# table; default 0), IDP_KEY (the SAML scenarios' IdP key: ecdsa, the
# default, or rsa).
#
# For each backend it builds seam and the load generator, starts a fresh
# database (a new SQLite file; a new PostgreSQL database, dropped afterwards),
# creates a project with `seam project create`, an organization and a member
# through the API and a session with `seam session create`, then runs every
# scenario in turn against the same server. Secrets travel in environment
# variables, never on a command line.
set -euo pipefail

CONCURRENCY=${CONCURRENCY:-8}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
PORT=${PORT:-18080}
SCENARIOS=${SCENARIOS:-"jwks org-get sessions-authenticate sessions-authenticate-jwt org-create"}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
OUT=${OUT:-}
backends=("$@")
[ ${#backends[@]} -eq 0 ] && backends=(sqlite postgres)

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

if [ -n "${SEAM_BIN:-}" ]; then
	cp "$SEAM_BIN" "$work/seam"
else
	(cd "$root" && go build -o "$work/seam" ./cmd/seam)
fi
(cd "$root" && go build -o "$work/load" ./bench/load)

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# seam: ${SEAM_BIN:-built from this tree}; commit $(cd "$root" && git rev-parse --short HEAD); uncommitted changes in the server's packages: $(cd "$root" && git status --short cmd internal ':(exclude)*_test.go' | grep -v '^??' | wc -l) files"
echo "# concurrency $CONCURRENCY, rate ${RATE:-unpaced}, duration $DURATION, warm-up $WARMUP, SAML IdP key ${IDP_KEY:-ecdsa}"

for backend in "${backends[@]}"; do
	case "$backend" in
	sqlite)
		mkdir -p "$work/sqlite"
		export SEAM_DATABASE_URL="sqlite:$work/sqlite/seam.db"
		;;
	postgres)
		pgdb="seam_bench_$(date +%s)_$$"
		psql "$PGURL/postgres?sslmode=disable" -qc "CREATE DATABASE $pgdb" >/dev/null
		export SEAM_DATABASE_URL="$PGURL/$pgdb?sslmode=disable"
		;;
	*)
		echo "unknown backend $backend" >&2
		exit 2
		;;
	esac
	SEAM_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
	export SEAM_SECRET_KEY
	# One loopback client drives all the load: the per-address abuse limits
	# (docs/reliability.md) would refuse it, which is not what is measured.
	export SEAM_LIMIT_ADDRESS=0 SEAM_LIMIT_TARGET=0
	# oidc-login's OpenID provider runs inside the load generator on a
	# loopback port, which the outbound client refuses by default.
	export SEAM_OUTBOUND_ALLOW=127.0.0.1/32
	export SEAM_ADDR="127.0.0.1:$PORT"
	base="http://$SEAM_ADDR"

	"$work/seam" migrate >/dev/null
	# The redirect URL is where the login scenarios' ACS answers point; the
	# load generator reads the token from the redirect and never follows it.
	creds=$("$work/seam" project create --name "bench-$backend" --redirect-url "http://127.0.0.1:9/callback" --json)
	project=$(jq -r .project_id <<<"$creds")
	SEAM_BENCH_SECRET=$(jq -r .secret <<<"$creds")
	SEAM_BENCH_PUBLIC_TOKEN=$(jq -r .public_token <<<"$creds")
	export SEAM_BENCH_SECRET SEAM_BENCH_PUBLIC_TOKEN

	"$work/seam" serve >"$work/serve-$backend.out" 2>"$work/serve-$backend.log" &
	server_pid=$!
	for _ in $(seq 1 100); do
		curl -fs "$base/readyz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	curl -fs "$base/readyz" >/dev/null

	auth=(-u "$project:$SEAM_BENCH_SECRET")
	org=$(curl -fs "${auth[@]}" -H 'Content-Type: application/json' \
		-d '{"organization_name":"Bench","organization_slug":"bench"}' "$base/v1/b2b/organizations" | jq -r .organization.organization_id)
	member=$(curl -fs "${auth[@]}" -H 'Content-Type: application/json' \
		-d '{"email_address":"bench@example.com","name":"Bench Member"}' "$base/v1/b2b/organizations/$org/members" | jq -r .member_id)
	sess=$("$work/seam" session create --project "$project" --organization "$org" --member "$member" --duration 600m --json)
	SEAM_BENCH_SESSION_TOKEN=$(jq -r .session_token <<<"$sess")
	SEAM_BENCH_SESSION_JWT=$(jq -r .session_jwt <<<"$sess")
	export SEAM_BENCH_SESSION_TOKEN SEAM_BENCH_SESSION_JWT
	if [ "${EXTRA_SESSIONS:-0}" -gt 0 ] && [ "$backend" = postgres ]; then
		# Other members' live sessions, each with its own random token hash,
		# as a large deployment has them.
		# Other members' live sessions (1000 members sharing them), each with
		# its own random token hash, as a large deployment has them.
		psql "$SEAM_DATABASE_URL" -q -v ON_ERROR_STOP=1 <<-SQL >/dev/null
			INSERT INTO members (id, project_id, organization_id, email, name, status, created_at, updated_at)
			SELECT 'member-test-' || gen_random_uuid(), project_id, organization_id, 'filler-' || i || '@example.com', 'Filler', 'active', now(), now()
			FROM members, generate_series(1, 1000) AS i WHERE members.id = '$member';
			INSERT INTO member_sessions (id, project_id, organization_id, member_id, token_hash, started_at, last_accessed_at, expires_at)
			SELECT 'member-session-test-' || gen_random_uuid(), m.project_id, m.organization_id, m.id,
			       sha256(convert_to(gen_random_uuid()::text, 'UTF8')), now(), now(), now() + interval '1 day'
			FROM (SELECT * FROM members WHERE email LIKE 'filler-%') AS m, generate_series(1, GREATEST(${EXTRA_SESSIONS} / 1000, 1));
			ANALYZE members;
			ANALYZE member_sessions;
		SQL
		echo "# member_sessions: $(psql "$SEAM_DATABASE_URL" -Atc 'SELECT count(*) FROM member_sessions') rows"
		psql "$SEAM_DATABASE_URL" -Atc "EXPLAIN SELECT * FROM member_sessions WHERE token_hash = sha256('x')" | sed 's/^/# plan: /'
	fi

	for scenario in $SCENARIOS; do
		json=$("$work/load" -url "$base" -project "$project" -organization "$org" -scenario "$scenario" \
			-concurrency "$CONCURRENCY" -rate "${RATE:-0}" -duration "$DURATION" -warmup "$WARMUP" -label "$backend" -server-pid "$server_pid" -idp-key "${IDP_KEY:-ecdsa}" -json)
		[ -n "$OUT" ] && echo "$json" >>"$OUT"
		jq -r '"\(.scenario) [\(.label)]: \(.requests) requests, \(.errors) errors, \(.requests_per_second|floor) req/s, p50 \(.p50_ms) ms, p95 \(.p95_ms) ms, p99 \(.p99_ms) ms, max \(.max_ms) ms, server CPU \(.server_cpu_ms_per_request) ms/req (\(.server_cores) cores), peak RSS \(.server_peak_rss_mib) MiB"' <<<"$json"
	done

	kill "$server_pid"
	wait "$server_pid" 2>/dev/null || true
	server_pid=""
	if [ -n "$pgdb" ]; then
		psql "$PGURL/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null
		pgdb=""
	fi
	unset SEAM_DATABASE_URL
done
