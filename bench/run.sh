#!/usr/bin/env bash
# Load benchmark for Parley on loopback: seeds 10,220 approved comments,
# then measures GET /api/v1/comments (200- and 20-comment stories) and
# POST /api/v1/comments with wrk (2 threads, 50 connections, 20 s each),
# and reports requests/s, p50, p99 and the server's peak RSS.
#
#   bash bench/run.sh                      # SQLite in a temp dir
#   PARLEY_DB=postgres://… bash bench/run.sh   # PostgreSQL (an empty database)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk; }
DURATION="${DURATION:-20s}"
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/parley" ./cmd/parley
go build -o "$tmp/seed" ./bench/seed
if [ -n "${PARLEY_DB:-}" ]; then dbflag=(--db "$PARLEY_DB"); seeddb="$PARLEY_DB"; else dbflag=(--data "$tmp/data"); mkdir -p "$tmp/data"; seeddb="$tmp/data/parley.db"; fi
"$tmp/seed" -db "$seeddb"
port=$(( 20000 + RANDOM % 20000 ))
"$tmp/parley" serve "${dbflag[@]}" --addr "127.0.0.1:$port" --rate-limit=off --log-level=warn > "$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), $( [ -n "${PARLEY_DB:-}" ] && echo postgres || echo sqlite )"
for story in big small; do
  echo "== GET /api/v1/comments ($story story, anonymous reader: served from the thread cache)"
  wrk -t2 -c50 -d"$DURATION" -s bench/report.lua "$base/api/v1/comments?site=bench&story_url=https://bench.example/$story&limit=500" | grep RESULT
  echo "== GET /api/v1/comments ($story story, reader with a guest token: uncached, every request reads the database)"
  wrk -t2 -c50 -d"$DURATION" -s bench/report.lua -H "X-Parley-Guest-Token: pg_bench_reader" "$base/api/v1/comments?site=bench&story_url=https://bench.example/$story&limit=500" | grep RESULT
done
echo "== POST /api/v1/comments"
wrk -t2 -c50 -d"$DURATION" -s bench/post.lua "$base" | grep RESULT
echo "peak RSS: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MiB"}')"
