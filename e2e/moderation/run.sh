#!/usr/bin/env bash
# Run the moderator dashboard's browser tests: Debian's chromium driven by
# playwright-core against the real parley binary. Exits non-zero on any
# failure. Screenshots go to e2e/moderation/output/.
#
#   bash e2e/moderation/run.sh
#
# Environment: CHROMIUM (default /usr/bin/chromium), PARLEY_BIN (skip the build).
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd ../.. && pwd)"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "e2e/moderation: installing Debian's chromium"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "e2e/moderation: $chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund --loglevel=error
if [ -z "${PARLEY_BIN:-}" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  go build -C "$root" -o "$tmp/parley" ./cmd/parley
  export PARLEY_BIN="$tmp/parley"
fi
CHROMIUM="$chromium" npm test
echo "e2e/moderation: screenshots in e2e/moderation/output/"
