#!/usr/bin/env bash
# Issue 16's speed table: tripline analyze (one thread and two) and tripline parse side by side,
# in the same run, with lnav's indexing and fail2ban-regex's sshd filter on the same files.
#   scripts/bench_speed.sh [CORPORA_DIR] [RUNS]
# Build the corpora first: python3 scripts/bench_corpora.py --out bench_data/corpora
# Needs hyperfine, lnav and fail2ban (Debian packages). Each file gets a model trained on itself.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-bench_data/corpora}
runs=${2:-3}
bin=.build/release/tripline
[ -x "$bin" ] || swift build -c release
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT
printf "| file | lines | analyze, 1 thread | analyze, 2 threads | parse to NDJSON, 1 / 2 threads | lnav -n | fail2ban-regex | analyze RSS |\n"
printf "|---|---|---|---|---|---|---|---|\n"
for name in real_sshd.log real_sshd_back.log real_sshd_mixed.log real_sshd_shuffled.log real_linux.log corp_1200/auth.log corp_50/auth.log; do
  f=$dir/$name
  [ -f "$f" ] || continue
  lines=$(wc -l < "$f")
  m=$models/$(echo "$name" | tr '/' '_')
  "$bin" train --data-path "$f" --model-dir "$m" > /dev/null 2>&1
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$models/h.json" --style none \
    "$bin analyze $f --model-dir $m --output json --threads 1" \
    "$bin analyze $f --model-dir $m --output json --threads 2" \
    "$bin parse --quiet --threads 1 $f" \
    "$bin parse --quiet --threads 2 $f" \
    "lnav -n $f" > /dev/null 2>&1
  f2b=$( { /usr/bin/time -f "%e" fail2ban-regex "$f" /etc/fail2ban/filter.d/sshd.conf > /dev/null; } 2>&1 | tail -1)
  rss=$( { /usr/bin/time -f "%M" "$bin" analyze "$f" --model-dir "$m" --output json --threads 1 > /dev/null; } 2>&1 | tail -1)
  python3 - "$models/h.json" "$lines" "$f2b" "$rss" "$name" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))["results"]
lines, f2b, rss, name = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def rate(s): return f"{lines / s / 1000:,.0f}k/s ({s:.2f} s)"
m = [r["median"] for r in h]
print(f"| {name} | {lines:,} | {rate(m[0])} | {rate(m[1])} | {lines/m[2]/1000:,.0f}k / {lines/m[3]/1000:,.0f}k/s | {rate(m[4])} | {rate(f2b)} | {rss/1024:.0f} MB |")
PY
done
