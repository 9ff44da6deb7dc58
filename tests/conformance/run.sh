#!/usr/bin/env bash
# Runs the official-SDK conformance suite against a freshly built seam binary.
#
#   tests/conformance/run.sh                      all *.test.mjs files
#   tests/conformance/run.sh organizations.test.mjs   only these files (relative to tests/conformance)
#
# Environment:
#   SEAM_BIN                   use this binary instead of building one
#   SEAM_TEST_SKIP_POSTGRES=1  SQLite only
#   SEAM_TEST_PG_URL           PostgreSQL admin URL (default postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ -z "${SEAM_BIN:-}" ]]; then
  go="$(command -v go || true)"
  [[ -z "$go" && -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go
  if [[ -z "$go" ]]; then
    echo "run.sh: go not found in PATH" >&2
    exit 1
  fi
  bindir="$(mktemp -d "${TMPDIR:-/tmp}/seam-conformance-bin.XXXXXX")"
  trap 'rm -rf "$bindir"' EXIT
  echo "run.sh: building seam into $bindir" >&2
  (cd "$root" && "$go" build -o "$bindir/seam" ./cmd/seam)
  export SEAM_BIN="$bindir/seam"
fi

cd "$here"

# Reinstall when node_modules is missing or was installed from another lock file.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp=node_modules/.seam-lock-sha256
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
  echo "run.sh: npm ci" >&2
  npm ci --no-audit --no-fund
  echo "$lock_sum" >"$stamp"
fi

# Not exec: the EXIT trap must still remove the temporary binary.
if [[ $# -gt 0 ]]; then
  node --test --test-concurrency=1 --test-reporter=spec "$@"
else
  npm test --silent
fi
