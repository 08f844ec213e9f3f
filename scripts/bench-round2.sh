#!/usr/bin/env bash
# The hostile inputs of issue 37, side by side: a build against another (BASE, e.g. an older
# release build) and lnav's indexing of the same files where it reads them.
#
#   scripts/bench-round2.sh NEW_BINARY [BASE_BINARY]      (release builds; MODEL_DIR set or a
#                                                          model trained on test_logs/ is made)
#
# Files (in bench_data/round2): an unterminated CSV quote (240 KB), a CSV of 100,000 columns
# (20 MB), 512 MiB of empty lines in 0.5 MB of gzip (read on the command line and posted to
# /analyze/file), and a brute force with a line dated two hours back after every password.
# Prints seconds and peak memory (GNU time) for each.
set -euo pipefail
cd "$(dirname "$0")/.."
new=$1; base=${2:-}
out=bench_data/round2; mkdir -p "$out"
models=${MODEL_DIR:-$out/model}
[ -f "$models/model.json" ] || "$new" train --data-path test_logs/ --baseline-days 1 --model-dir "$models" >/dev/null 2>&1
python3 - "$out" <<'PY'
import sys, os, datetime as dt
out = sys.argv[1]
rows = ["timestamp,user,source_ip,event_type,action,message", '2026-01-15T10:00:00Z,m,10.0.0.9,login,failed,"never closed']
i = 0
while sum(len(r) + 1 for r in rows) < 240_000:
    rows.append(f"2026-01-15T10:{i // 60 % 60:02d}:{i % 60:02d}Z,u{i},10.0.0.{i % 200},login,failed,plain"); i += 1
open(f"{out}/quote240k.csv", "w").write("\n".join(rows) + "\n")
cols = 100_000
with open(f"{out}/wide.csv", "w") as f:
    f.write("timestamp,user,source_ip,event_type,action," + ",".join(f"c{j}" for j in range(cols)) + "\n")
    n, cells = 0, ",v" * cols
    while f.tell() < 20_000_000:
        f.write(f"2026-01-15T10:00:{n % 60:02d}Z,u{n % 7},10.0.0.{n % 50},login,failed{cells}\n"); n += 1
with open(f"{out}/blank.log", "w") as f:
    f.write("2026-03-06T10:00:00Z web sshd[1]: Failed password for root from 198.51.100.1 port 4000 ssh2\n")
    for _ in range(512): f.write("\n" * (1 << 20))
t0 = dt.datetime(2026, 1, 10, 10, 0, 0, tzinfo=dt.timezone.utc)
with open(f"{out}/strays.log", "w") as f:
    for k in range(40):
        t = t0 + dt.timedelta(seconds=3 * k)
        f.write(f"{t.isoformat()} web sshd[{2000 + k}]: Failed password for root from 198.51.100.66 port {3000 + k} ssh2\n")
        f.write(f"{(t - dt.timedelta(hours=2)).isoformat()} web sshd[{5000 + k}]: Connection closed by 198.51.100.66 port {3000 + k} [preauth]\n")
PY
gzip -f "$out/blank.log"
run() { # run LABEL BINARY ARGS...
  local label=$1 bin=$2; shift 2
  /usr/bin/time -f "%e s  %M KB" "$bin" "$@" > "$out/last.json" 2> "$out/time.txt" || true
  printf '%-44s %s   %s\n' "$label" "$(tail -1 "$out/time.txt")" \
    "$(python3 -c "import json,sys; d=json.load(open('$out/last.json')); print('events', d['events_analyzed'], 'lines', d['lines_read'], 'brute forces', sum(a['kind']=='brute_force' for a in d['anomalies']))" 2>/dev/null)"
}
for b in ${base:+"base:$base"} "new:$new"; do
  name=${b%%:*}; bin=${b#*:}
  run "$name quote240k.csv" "$bin" analyze "$out/quote240k.csv" --model-dir "$models" -o json
  run "$name wide.csv, 1 thread" "$bin" analyze "$out/wide.csv" --model-dir "$models" -o json --threads 1
  run "$name wide.csv, 2 threads" "$bin" analyze "$out/wide.csv" --model-dir "$models" -o json --threads 2
  run "$name blank.log.gz (512 MiB of newlines)" "$bin" analyze "$out/blank.log.gz" --model-dir "$models" -o json
  run "$name strays.log (a line 2 h back after each)" "$bin" analyze "$out/strays.log" --model-dir "$models" -o json
  port=$((18000 + RANDOM % 1000))
  MODEL_DIR=$models "$bin" serve --port $port --rate-limit 0 > "$out/serve.log" 2>&1 & pid=$!
  for _ in $(seq 100); do curl -s "localhost:$port/health" >/dev/null && break; sleep 0.1; done
  /usr/bin/time -f "%e s" curl -s -o "$out/last.json" -F file=@"$out/blank.log.gz" "localhost:$port/analyze/file" 2> "$out/time.txt"
  printf '%-44s %s   %s\n' "$name POST /analyze/file blank.log.gz" "$(tail -1 "$out/time.txt")" \
    "$(python3 -c "import json; d=json.load(open('$out/last.json')); print('lines', d['lines_read'], 'not_read', d.get('not_read'))")"
  kill $pid; wait $pid 2>/dev/null || true
done
if command -v lnav >/dev/null; then
  zcat "$out/blank.log.gz" > "$out/blank.log"
  for f in blank.log strays.log; do
    /usr/bin/time -f "%e s  %M KB" lnav -n -c ';SELECT count(*) FROM syslog_log' "$out/$f" > /dev/null 2> "$out/time.txt" || true
    printf '%-44s %s\n' "lnav index+scan $f" "$(tail -1 "$out/time.txt")"
  done
  rm -f "$out/blank.log"
fi
