#!/usr/bin/env bash
# Fuzzes what reads attacker-chosen bytes with libFuzzer and AddressSanitizer:
#   syslog      the syslog line parser, then the detector over the lines
#   structured  the structured reader (JSON documents, NDJSON, CSV, auto-detected) and the
#               REST API's record batches
#   model       the model loader (model.json), then a detector with the model
#   csv         the CSV reader alone (quotes, records over several lines), then the detector
#   mcp         the MCP server's request framing (newline-delimited JSON-RPC, read in pieces)
#               and decoding: JSON, then a list_anomalies call's arguments as a filter
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 60 s each, all three targets
#
# Seeds come from test_logs/ (and ../shared/conformance when it is there); what libFuzzer finds
# new is kept in .build-fuzz/corpus/TARGET, so longer runs pick up where the last one ended.
# A crash, leak or timeout stops the run with its input saved as .build-fuzz/crash-* (or
# leak-*, timeout-*): add it as a regression test. Prints the executions each target ran.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(syslog structured model csv mcp)

scratch=.build-fuzz
swift build --product TriplineFuzz --scratch-path "$scratch" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DTRIPLINE_FUZZING 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
bin="$(swift build --product TriplineFuzz --scratch-path "$scratch" --show-bin-path)/TriplineFuzz"
[ -x "$bin" ] || { echo "fuzz.sh: the fuzz build failed" >&2; exit 1; }

conformance=${TRIPLINE_CONFORMANCE_DIR:-${TRIPLINE_CONFORMANCE:-../shared/conformance}}
seeds="$scratch/seeds"
rm -rf "$seeds"
mkdir -p "$seeds/syslog" "$seeds/structured" "$seeds/model" "$seeds/csv" "$seeds/mcp"
# syslog: the sample in chunks of 40 lines, and the peers' sample logs.
split -l 40 -d -a 4 test_logs/auth.log "$seeds/syslog/auth-"
if [ -d "$conformance" ]; then
  find "$conformance" -type f \( -path '*logs*' -o -name '*.log' \) -size -64k 2>/dev/null | head -200 | while read -r f; do
    cp "$f" "$seeds/syslog/$(echo "$f" | tr '/' '_')"
  done
else
  echo "fuzz.sh: $conformance not found; seeding from test_logs/ only"
fi
# structured: NDJSON, a JSON array, {"logs": [...]}, CSV, journald's JSON.
head -n 30 test_logs/ndjson/events.ndjson > "$seeds/structured/events.ndjson"
{ echo '['; head -n 10 test_logs/ndjson/events.ndjson | paste -sd, -; echo ']'; } > "$seeds/structured/array.json"
{ printf '{"logs": ['; head -n 5 test_logs/ndjson/events.ndjson | paste -sd, -; printf ']}\n'; } > "$seeds/structured/logs.json"
printf 'timestamp,user,source_ip,event_type,action,message\n2026-03-06T12:00:00Z,alice,192.0.2.7,login,failed,"Failed, ""quoted"" password"\n2026-03-06T12:00:01Z,bob,192.0.2.7,login,success,Accepted\n' > "$seeds/structured/a.csv"
printf '{"__REALTIME_TIMESTAMP":"1767225600000000","_HOSTNAME":"web","SYSLOG_IDENTIFIER":"sshd","_PID":"7","MESSAGE":"Failed password for root from 203.0.113.9 port 22 ssh2"}\n' > "$seeds/structured/journal.json"
printf '[{"timestamp":"2026-01-01T00:00:00Z","user":"a"}}]' > "$seeds/structured/stray-bracket.json"
# csv: quoted fields, records over several lines, one never closed.
printf 'timestamp,user,source_ip,event_type,action,message\n2026-03-06T12:00:00Z,alice,192.0.2.7,login,failed,"Failed, ""quoted""\nover two lines"\n2026-03-06T12:00:01Z,bob,192.0.2.7,login,success,Accepted\n' > "$seeds/csv/multiline.csv"
printf 'timestamp,user,source_ip,event_type,action,message\n2026-03-06T12:00:00Z,m,192.0.2.7,login,failed,"never closed\n2026-03-06T12:00:01Z,bob,192.0.2.7,login,failed,x\n' > "$seeds/csv/open.csv"
cp "$seeds/structured/a.csv" "$seeds/csv/a.csv"
# mcp: a read size (the first byte), then messages as a client sends them.
printf '\x07{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}\n{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_anomalies","arguments":{"severity":"high","limit":1e19,"since":"2026-01-01T00:00:00Z"}}}\n' > "$seeds/mcp/calls.jsonl"
# model: a small model trained on the sample's first day.
"$(swift build --show-bin-path)/tripline" train --data-path test_logs/auth.log --baseline-days 0.3 --model-dir "$scratch/seed-model" >/dev/null 2>&1 \
  || swift run -q tripline train --data-path test_logs/auth.log --baseline-days 0.3 --model-dir "$scratch/seed-model" >/dev/null 2>&1 || true
[ -f "$scratch/seed-model/model.json" ] && cp "$scratch/seed-model/model.json" "$seeds/model/"
printf '{"format":"tripline-model","version":1}' > "$seeds/model/tiny.json"

status=0
for t in "${targets[@]}"; do
  corpus="$scratch/corpus/$t"
  mkdir -p "$corpus"
  maxlen=65536
  [ "$t" = model ] && maxlen=2097152
  log="$scratch/fuzz-$t.log"
  echo "fuzz.sh: $t for ${seconds} s"
  # (Swift's backtracer, run on a failed precondition, trips AddressSanitizer itself: off.)
  if TRIPLINE_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=1 SWIFT_BACKTRACE=enable=no "$bin" "$corpus" "$seeds/$t" \
       -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len=$maxlen \
       -artifact_prefix="$scratch/$t-" -print_final_stats=1 > "$log" 2>&1; then
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz.sh: $t clean: ${runs:-?} executions in ${seconds} s"
  else
    status=1
    echo "fuzz.sh: $t FOUND A PROBLEM (input saved as $scratch/$t-*):" >&2
    grep -E 'ERROR|SUMMARY|==[0-9]+==|Test unit written|Fatal error|deadly signal|timeout' "$log" | head -20 >&2
  fi
done
exit $status
