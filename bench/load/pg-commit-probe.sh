#!/usr/bin/env bash
# Times 200 single-row INSERTs, each its own transaction, in a scratch
# PostgreSQL database: with synchronous_commit on (a WAL flush per commit, as
# Seam's writes get) and off. Reads the cost of one durable commit on this
# machine's disk, for reading the write scenarios of bench/load.
set -euo pipefail
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
db="bench_commit_probe_$$"
psql "$PGURL/postgres?sslmode=disable" -qc "CREATE DATABASE $db"
trap 'psql "$PGURL/postgres?sslmode=disable" -qc "DROP DATABASE IF EXISTS $db"' EXIT
psql "$PGURL/$db?sslmode=disable" -qc "CREATE TABLE t (x int)"
sql=$(for i in $(seq 200); do echo "INSERT INTO t VALUES ($i);"; done)
for mode in on off; do
	start=$(date +%s%N)
	psql "$PGURL/$db?sslmode=disable" -q -v ON_ERROR_STOP=1 <<<"SET synchronous_commit = $mode;
$sql"
	end=$(date +%s%N)
	echo "synchronous_commit=$mode: 200 commits in $(((end - start) / 1000000)) ms"
done
echo "rows: $(psql "$PGURL/$db?sslmode=disable" -Atc 'SELECT count(*) FROM t')"
