#!/usr/bin/env bash
# Admin user-list benchmark on PostgreSQL with 1,000,000 seeded users (not in CI).
# Uses a database of its own (gatehouse_bench), created and seeded on the first
# run (about half a minute) and kept for the next runs. Prints, per scenario,
# the median and p99 of the server's own request time and of the client's round
# trip, and EXPLAIN ANALYZE of the search. GATEHOUSE_BENCH_EXPLAIN=1 explains
# every scenario.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 # go1.26.8 has reachable standard-library vulnerabilities (scripts/vulncheck)
cd "$(dirname "$0")/.."
host=${PGHOST:-127.0.0.1}
db=${GATEHOUSE_BENCH_DB:-gatehouse_bench}
if ! psql -h "$host" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  createdb -h "$host" -U postgres "$db"
fi
export GATEHOUSE_BENCH_DATABASE_URL="${GATEHOUSE_BENCH_DATABASE_URL:-postgres://postgres@$host:5432/$db?sslmode=disable}"
exec go test ./handlers -run '^TestAdminListBenchmark$' -count=1 -v -timeout 30m
