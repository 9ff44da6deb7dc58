#!/usr/bin/env bash
# Soak: mixed traffic on two Seam replicas sharing one PostgreSQL database,
# for a bounded time, reporting errors, p99 latency and each replica's RSS
# round by round. Not run in CI (it takes minutes); its result goes into
# BENCHMARKS.md.
#
#   bench/soak/run.sh
#
# Environment: ROUNDS (10), ROUND (30s: each round's measured duration),
# CONCURRENCY (8 per replica), PORT (18090; the replicas use PORT and
# PORT+1), PGURL (postgres://postgres@127.0.0.1:5432), OUT (a file for the
# JSON reports, one per line), PAIRS (see below). The whole run is capped at 10 minutes of
# measured traffic: ROUNDS x ROUND above that is refused. Loopback only.
#
# Each round runs two scenarios at once, one per replica, rotating through
# reads, session authentications (token and JWT), writes and searches, so
# that both replicas see every kind of traffic and write to the same rows.
set -euo pipefail

ROUNDS=${ROUNDS:-10}
ROUND=${ROUND:-30s}
CONCURRENCY=${CONCURRENCY:-8}
PORT=${PORT:-18090}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
OUT=${OUT:-}

round_s=${ROUND%s}
case "$round_s" in '' | *[!0-9]*) echo "ROUND must be whole seconds, e.g. 30s" >&2; exit 2 ;; esac
if [ $((ROUNDS * round_s)) -gt 600 ]; then
	echo "ROUNDS x ROUND is $((ROUNDS * round_s))s; the soak is capped at 600s" >&2
	exit 2
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
pgdb="seam_soak_$(date +%s)_$$"
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	psql "$PGURL/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

(cd "$root" && go build -o "$work/seam" ./cmd/seam && go build -o "$work/load" ./bench/load)
psql "$PGURL/postgres?sslmode=disable" -qc "CREATE DATABASE $pgdb" >/dev/null

export SEAM_DATABASE_URL="$PGURL/$pgdb?sslmode=disable"
SEAM_SECRET_KEY=$(head -c 32 /dev/urandom | base64)
export SEAM_SECRET_KEY
# The load comes from one loopback address: the per-address abuse limits
# would refuse it, which is not what a soak measures.
export SEAM_LIMIT_ADDRESS=0 SEAM_LIMIT_TARGET=0 SEAM_DRAIN_PERIOD=0s
# Both replicas are one deployment: one public URL (the session JWT issuer).
export SEAM_BASE_URL="http://127.0.0.1:$PORT"
"$work/seam" migrate >/dev/null
creds=$("$work/seam" project create --name soak --json)
project=$(jq -r .project_id <<<"$creds")
SEAM_BENCH_SECRET=$(jq -r .secret <<<"$creds")
export SEAM_BENCH_SECRET

bases=()
for i in 0 1; do
	addr="127.0.0.1:$((PORT + i))"
	SEAM_ADDR="$addr" "$work/seam" serve >"$work/serve-$i.out" 2>"$work/serve-$i.log" &
	pids+=($!)
	bases+=("http://$addr")
done
for b in "${bases[@]}"; do
	for _ in $(seq 1 100); do curl -fs "$b/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
	curl -fs "$b/readyz" >/dev/null
done

auth=(-u "$project:$SEAM_BENCH_SECRET")
org=$(curl -fs "${auth[@]}" -H 'Content-Type: application/json' \
	-d '{"organization_name":"Soak","organization_slug":"soak"}' "${bases[0]}/v1/b2b/organizations" | jq -r .organization.organization_id)
member=$(curl -fs "${auth[@]}" -H 'Content-Type: application/json' \
	-d '{"email_address":"soak@example.com","name":"Soak Member"}' "${bases[1]}/v1/b2b/organizations/$org/members" | jq -r .member_id)
sess=$("$work/seam" session create --project "$project" --organization "$org" --member "$member" --duration 600m --json)
SEAM_BENCH_SESSION_TOKEN=$(jq -r .session_token <<<"$sess")
SEAM_BENCH_SESSION_JWT=$(jq -r .session_jwt <<<"$sess")
export SEAM_BENCH_SESSION_TOKEN SEAM_BENCH_SESSION_JWT

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); commit $(cd "$root" && git rev-parse --short HEAD)"
echo "# two replicas on one PostgreSQL database, $ROUNDS rounds of $ROUND, $CONCURRENCY clients per replica"

# PAIRS overrides the rotation: "a b;c d" runs a on replica 0 and b on
# replica 1 in the first round, c and d in the second, and so on.
if [ -n "${PAIRS:-}" ]; then
	IFS=';' read -r -a pairs <<<"$PAIRS"
else
	pairs=("org-get sessions-authenticate" "sessions-authenticate-jwt org-create" "org-search member-search" "sso-get jwks" "org-create org-get")
fi
for r in $(seq 1 "$ROUNDS"); do
	read -r sa sb <<<"${pairs[$(((r - 1) % ${#pairs[@]}))]}"
	lp=()
	for i in 0 1; do
		s=$sa
		[ "$i" = 1 ] && s=$sb
		"$work/load" -url "${bases[$i]}" -project "$project" -organization "$org" -scenario "$s" \
			-concurrency "$CONCURRENCY" -duration "$ROUND" -warmup 1s -label "round $r replica $i" \
			-server-pid "${pids[$i]}" -json >"$work/round-$r-$i.json" 2>"$work/round-$r-$i.err" &
		lp+=($!)
	done
	for p in "${lp[@]}"; do
		wait "$p" || { echo "round $r: the load generator failed:" >&2; cat "$work"/round-"$r"-*.err >&2; exit 1; }
	done
	for i in 0 1; do
		json=$(cat "$work/round-$r-$i.json")
		[ -n "$OUT" ] && echo "$json" >>"$OUT"
		rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/${pids[$i]}/status")
		jq -r --arg rss "$rss" '"\(.label): \(.scenario), \(.requests) requests, \(.errors) errors, \(.requests_per_second|floor) req/s, p99 \(.p99_ms) ms, server CPU \(.server_cpu_ms_per_request) ms/req, peak RSS \(.server_peak_rss_mib) MiB, RSS now \($rss) MiB"' <<<"$json"
	done
done
for i in 0 1; do
	n=$(grep -c '"level":"ERROR"' "$work/serve-$i.log" || true)
	echo "# replica $i: $n ERROR log lines"
done
