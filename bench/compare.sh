#!/usr/bin/env bash
# Parley against a peer comment server on the same workload, interleaved.
# Builds Parley and the seeder, then runs bench/compare (see its doc comment
# for the workload) and prints a table of medians with the ratio Parley/peer.
#
#   PEER_BIN=/path/to/remark42 bash bench/compare.sh
#
# Environment: PEER_BIN (required: a remark42 server binary), REPS (default
# 3), DURATION (each load run, default 8s).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PEER_BIN:?set PEER_BIN to the peer server binary (remark42)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/parley" ./cmd/parley
go build -o "$tmp/seed" ./bench/seed
go build -o "$tmp/compare" ./bench/compare
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$tmp/compare" -parley "$tmp/parley" -seed "$tmp/seed" -peer "$PEER_BIN" -reps "${REPS:-3}" -duration "${DURATION:-8s}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
