#!/usr/bin/env bash
# Load run: requests per second and latency percentiles of GET /login
# (anonymous) and GET /account (signed in) under wrk, on this machine.
#   scripts/load.sh                      # SQLite + embedded session store
#   GATEHOUSE_DATABASE_URL=postgres://… GATEHOUSE_REDIS_URL=redis://… scripts/load.sh
# Needs wrk (apt-get install wrk) and curl.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3 # go1.26.8 has reachable standard-library vulnerabilities (scripts/vulncheck)
cd "$(dirname "$0")/.."
ADDR=127.0.0.1:18099
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

CGO_ENABLED=0 go build -o "$work/gatehouse" ./cmd/gatehouse
export GATEHOUSE_ADDR=$ADDR GATEHOUSE_DATABASE_URL=${GATEHOUSE_DATABASE_URL:-sqlite://$work/load.db}
"$work/gatehouse" serve >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf "http://$ADDR/healthz" >/dev/null && break; sleep 0.2; done

user="load$RANDOM$RANDOM"
echo 'violet ostrich mountain' | GATEHOUSE_SUPERUSER_PASSWORD='violet ostrich mountain' \
  "$work/gatehouse" createsuperuser --username "$user" --email "$user@example.test" >/dev/null
jar="$work/jar"
token=$(curl -s -c "$jar" "http://$ADDR/login" | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p')
curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$token&login=$user&password=violet+ostrich+mountain" "http://$ADDR/login"
session=$(awk '$6=="gatehouse_session"{print $7}' "$jar")
[ -n "$session" ] || { echo "sign-in failed"; exit 1; }

echo "== GET /login (anonymous), $CONNS connections, $DURATION"
wrk -t2 -c"$CONNS" -d"$DURATION" --latency "http://$ADDR/login" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket'
echo "== GET /account (signed in), $CONNS connections, $DURATION"
wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "Cookie: gatehouse_session=$session" "http://$ADDR/account" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket'
