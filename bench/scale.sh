#!/usr/bin/env bash
# Throughput of one Parley instance against two on one PostgreSQL database,
# on loopback. Seeds the benchmark site into a fresh database, then for one
# and for two instances runs wrk (50 connections in total, split evenly
# between the instances, 2 threads in total) for DURATION on:
#   - GET /api/v1/comments for a 20-comment story, uncached (with a guest token);
#   - POST /api/v1/comments.
# It prints each run's summed requests/s and the worst p99 of the wrk processes.
#
#   bash bench/scale.sh     # needs PostgreSQL on 127.0.0.1:5432 (trust auth) and wrk
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-20s}"
PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
db="parley_scale_$$"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
psql "$PGURL/postgres" -qc "CREATE DATABASE $db" >/dev/null
dsn="$PGURL/$db?sslmode=disable"
CGO_ENABLED=0 go build -o "$tmp/parley" ./cmd/parley
go build -o "$tmp/seed" ./bench/seed
"$tmp/seed" -db "$dsn"
start() {
  local port=$1
  "$tmp/parley" serve --db "$dsn" --addr "127.0.0.1:$port" --rate-limit=off --log-level=warn > "$tmp/server-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "instance on $port did not start" >&2; exit 1
}
# run N "wrk args...": N concurrent wrk processes, one per instance.
run() {
  local n=$1; shift
  local outs=()
  for i in $(seq 1 "$n"); do
    local port=$((base_port + i - 1))
    wrk -t$((2 / n)) -c$((50 / n)) -d"$DURATION" -s "$script" "${extra[@]}" "http://127.0.0.1:$port$path" > "$tmp/wrk-$i.out" &
    outs+=($!)
  done
  wait "${outs[@]}"
  cat "$tmp"/wrk-*.out | grep RESULT | awk '{ for (i=1;i<=NF;i++) { split($i,kv,"="); v[kv[1]]=kv[2] } rps+=v["rps"]; if (v["p99_ms"]>p99) p99=v["p99_ms"] } END { printf "rps=%.1f worst_p99_ms=%.2f\n", rps, p99 }'
  rm -f "$tmp"/wrk-*.out
}
base_port=$(( 20000 + RANDOM % 20000 ))
start "$base_port"
echo "machine: $(nproc) cores, PostgreSQL $(psql "$PGURL/postgres" -tAc 'SHOW server_version')"
for n in 1 2; do
  [ "$n" = 2 ] && start $((base_port + 1))
  echo "== $n instance(s)"
  script=bench/report.lua; extra=(-H "X-Parley-Guest-Token: pg_bench_reader"); path="/api/v1/comments?site=bench&story_url=https://bench.example/small"
  printf "GET 20-comment story, uncached: "; run "$n"
  script=bench/post.lua; extra=(); path=""
  printf "POST comment:                   "; run "$n"
done
