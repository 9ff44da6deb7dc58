#!/usr/bin/env bash
# Installs the Node packages of the interop IdPs (samlify-idp, oidc-op) and
# of the real-browser tests (chromium: playwright-core, which drives Debian's
# /usr/bin/chromium) from their committed lock files. Idempotent: a directory is reinstalled only
# when node_modules is missing or was installed from another lock file.
# Run it before `go test ./tests/interop/` (the Go tests fail, not skip,
# without it); .ci/run calls it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v node >/dev/null || { echo "setup.sh: node is not installed (Node 20+ needed)" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup.sh: npm is not installed" >&2; exit 1; }

for dir in "$here"/*/; do
  dir="${dir%/}"
  [[ -f "$dir/package-lock.json" ]] || continue
  lock_sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  stamp="$dir/node_modules/.seam-lock-sha256"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_sum" ]]; then
    echo "setup.sh: $(basename "$dir") up to date" >&2
    continue
  fi
  echo "setup.sh: npm ci in $(basename "$dir")" >&2
  (cd "$dir" && npm ci --no-audit --no-fund)
  echo "$lock_sum" >"$stamp"
done
