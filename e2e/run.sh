#!/usr/bin/env bash
# Run every browser test, the widget's and the moderator dashboard's, in one
# harness: Debian's chromium driven by playwright-core against the real
# parley binary, built once. The two test files run at the same time, each
# against its own server. Exits non-zero on any failure.
#
#   bash e2e/run.sh
#
# Environment: CHROMIUM (default /usr/bin/chromium), PARLEY_BIN (skip the build).
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd .. && pwd)"

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "e2e: installing Debian's chromium"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "e2e: $chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

# Widget unit tests (node's test runner), then the browser tests.
(cd "$root/frontend" && npm ci --no-audit --no-fund --loglevel=error && npm test)

npm ci --no-audit --no-fund --loglevel=error
if [ -z "${PARLEY_BIN:-}" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  go build -C "$root" -o "$tmp/parley" ./cmd/parley
  export PARLEY_BIN="$tmp/parley"
fi
# The test OpenID provider (zitadel/oidc's example OP) for tests/identity.test.mjs.
if [ -z "${TESTOIDC_BIN:-}" ]; then
  tmp_op="$(mktemp -d)"
  trap 'rm -rf "${tmp:-}" "$tmp_op"' EXIT
  go build -C "$root" -o "$tmp_op/testoidc" ./internal/testoidc/cmd/testoidc
  export TESTOIDC_BIN="$tmp_op/testoidc"
fi
CHROMIUM="$chromium" npm test
echo "e2e: screenshots in e2e/output/ (the dashboard's in e2e/output/moderation/)"
