#!/usr/bin/env bash
# The Dockerfile's build steps without a container, for machines where no
# container builder runs (CI runs it): a static CGO_ENABLED=0 -trimpath
# binary that must run without a C library, start on SQLite, pass its own
# healthcheck, and drain on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$out"' EXIT

CGO_ENABLED=0 GOOS=linux go build -trimpath \
  -ldflags "-s -w -X github.com/seamsso/seam/internal/app.Version=${VERSION:-ci}" \
  -o "$out/seam" ./cmd/seam
"$out/seam" version

# Static: no program interpreter (dynamic loader) in the ELF headers.
if command -v readelf >/dev/null && readelf -l "$out/seam" | grep -q 'Requesting program interpreter'; then
  echo "build-static: the binary is dynamically linked" >&2; exit 1
fi

port=$(( 20000 + RANDOM % 20000 ))
export SEAM_ADDR="127.0.0.1:$port" SEAM_DATABASE_URL="sqlite:$out/seam.db" SEAM_DRAIN_PERIOD=1s SEAM_LOG_LEVEL=warn
"$out/seam" serve >"$out/stdout" 2>"$out/stderr" &
pid=$!
for _ in $(seq 1 100); do
  "$out/seam" healthcheck >/dev/null 2>&1 && break
  sleep 0.1
done
"$out/seam" healthcheck
kill -TERM "$pid"
sleep 0.3
# Draining: not ready, still alive.
if "$out/seam" healthcheck >/dev/null 2>&1; then echo "build-static: still ready after SIGTERM" >&2; exit 1; fi
"$out/seam" healthcheck --live
wait "$pid"
echo "build-static: ok"
