#!/usr/bin/env bash
# The ceiling PostgreSQL alone sets for bench/load's sso-update scenario on
# this machine: pgbench, no Seam, 32 clients, updating a ~5 KB row the way a
# connection update does (one transaction that locks the row, then writes
# it), on one row (what sso-update does: every client updates the same
# connection) and spread over 64 rows; and one autocommitted UPDATE of one
# row, the least any durable update of one row can cost. Prints pgbench's
# tps per case.
set -euo pipefail
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
PGBENCH=${PGBENCH:-$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -1)}
CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-10}
db="bench_update_ceiling_$$"
dir=$(mktemp -d)
psql "$PGURL/postgres?sslmode=disable" -qc "CREATE DATABASE $db"
trap 'psql "$PGURL/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS $db"; rm -rf "$dir"' EXIT
psql "$PGURL/$db?sslmode=disable" -qc "CREATE TABLE conn (id int PRIMARY KEY, cfg text, updated_at timestamptz);
  INSERT INTO conn SELECT i, repeat('x', 5000), now() FROM generate_series(1, 64) i;"
cat >"$dir/locked-one.sql" <<'SQL'
BEGIN;
SELECT cfg FROM conn WHERE id = 1 FOR UPDATE;
UPDATE conn SET cfg = repeat('y', 5000), updated_at = now() WHERE id = 1;
COMMIT;
SQL
cat >"$dir/autocommit-one.sql" <<'SQL'
UPDATE conn SET cfg = repeat('y', 5000), updated_at = now() WHERE id = 1;
SQL
cat >"$dir/locked-64.sql" <<'SQL'
\set k random(1, 64)
BEGIN;
SELECT cfg FROM conn WHERE id = :k FOR UPDATE;
UPDATE conn SET cfg = repeat('y', 5000), updated_at = now() WHERE id = :k;
COMMIT;
SQL
for c in locked-one autocommit-one locked-64; do
	tps=$("$PGBENCH" -h 127.0.0.1 -U postgres -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f "$dir/$c.sql" "$db" 2>&1 |
		sed -n 's/^tps = \([0-9.]*\).*/\1/p')
	echo "$c: $tps tps ($CLIENTS clients, ${DURATION}s, load average $(cut -d' ' -f1 /proc/loadavg))"
done
