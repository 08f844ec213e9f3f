#!/usr/bin/env bash
# REST API throughput and latency with wrk on loopback (release build):
#  1. POST /analyze with batches of 1,000 prototype-schema events (events/s = requests/s × 1000)
#  2. POST /analyze with one event per request (p50/p99 latency)
#  3. GET /health (the server's floor)
#
#   apt-get install -y wrk && scripts/bench-api.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-20}
BIN=.build/release/tripline
[ -x "$BIN" ] || swift build -c release
command -v wrk >/dev/null || { echo "bench-api: wrk is missing (apt-get install -y wrk)" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

"$BIN" train --data-path test_logs/auth.log --baseline-days 1 --model-dir "$work/models" >/dev/null 2>&1
python3 - "$work" <<'PY'
import json, random, sys
work = sys.argv[1]
r = random.Random(7)
def rec(i):
    ok = r.random() < 0.8
    return {"timestamp": f"2026-03-06T{10 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z", "user": f"user{r.randrange(200)}",
            "source_ip": f"10.{r.randrange(20)}.{r.randrange(256)}.{r.randrange(1, 255)}", "event_type": "login",
            "action": "success" if ok else "failed", "message": "Accepted password" if ok else "Failed password"}
json.dump({"logs": [rec(i) for i in range(1000)]}, open(f"{work}/batch.json", "w"))
json.dump({"logs": [rec(0)]}, open(f"{work}/single.json", "w"))
PY
for kind in batch single; do
  cat > "$work/$kind.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/$kind.json", "rb")
wrk.body = f:read("*a")
f:close()
LUA
done

"$BIN" serve --port 8787 --rate-limit 0 --model-dir "$work/models" 2>"$work/server.log" &
echo $! > "$work/pid"
for _ in $(seq 100); do curl -sf http://127.0.0.1:8787/health/ready >/dev/null && break; sleep 0.1; done

echo "== POST /analyze, 1,000 events per request (2 threads, 8 connections, ${DUR}s)"
wrk -t2 -c8 -d"${DUR}s" --latency -s "$work/batch.lua" http://127.0.0.1:8787/analyze | tee "$work/batch.txt"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/batch.txt")
python3 -c "print(f'events/s through POST /analyze: {float(\"$rps\") * 1000:,.0f}')"
echo
echo "== POST /analyze, 1 event per request, one client (1 thread, 1 connection, ${DUR}s): latency"
wrk -t1 -c1 -d"${DUR}s" --latency -s "$work/single.lua" http://127.0.0.1:8787/analyze
echo
echo "== POST /analyze, 1 event per request, loaded (2 threads, 8 connections, ${DUR}s): throughput"
wrk -t2 -c8 -d"${DUR}s" --latency -s "$work/single.lua" http://127.0.0.1:8787/analyze
echo
echo "== GET /health (2 threads, 8 connections, ${DUR}s)"
wrk -t2 -c8 -d"${DUR}s" --latency http://127.0.0.1:8787/health
echo
ps -o rss=,cputime= -p "$(cat "$work/pid")" | awk '{printf "server RSS %.1f MB, CPU time %s\n", $1/1024, $2}'
