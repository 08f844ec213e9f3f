#!/usr/bin/env bash
# Side by side on the same file: tripline analyze (release build) vs fail2ban-regex with its
# sshd filter vs lnav -n, plus each one's peak memory. Needs hyperfine, fail2ban and lnav
# (Debian packages: apt-get install -y hyperfine fail2ban lnav).
#   scripts/bench-analyze.sh [FILE] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-bench_data/1m/auth.log}
runs=${2:-3}
bin=.build/release/tripline
models=$(mktemp -d)
[ -x "$bin" ] || swift build -c release
[ -f "$file" ] || { echo "no $file: make one with $bin generate --out bench_data/1m --events 1000000"; exit 1; }
lines=$(wc -l < "$file")
echo "file: $file ($lines lines, $(du -h "$file" | cut -f1))"
echo
echo "== training (tripline train on the whole file)"
/usr/bin/time -f "train: %e s wall, %M KB peak RSS" "$bin" train --data-path "$file" --model-dir "$models" > /dev/null
echo
echo "== peak memory"
/usr/bin/time -f "tripline analyze: %e s, %M KB" "$bin" analyze "$file" --model-dir "$models" --output json > /dev/null
/usr/bin/time -f "lnav -n: %e s, %M KB" lnav -n "$file" > /dev/null
/usr/bin/time -f "fail2ban-regex: %e s, %M KB" fail2ban-regex "$file" /etc/fail2ban/filter.d/sshd.conf > /dev/null
echo
echo "== time ($runs runs each)"
hyperfine --warmup 1 --runs "$runs" --style basic --export-markdown /tmp/tripline-bench.md \
  -n "tripline analyze" "$bin analyze $file --model-dir $models --output json > /dev/null" \
  -n "lnav -n" "lnav -n $file > /dev/null" \
  -n "fail2ban-regex (sshd)" "fail2ban-regex $file /etc/fail2ban/filter.d/sshd.conf > /dev/null"
echo
cat /tmp/tripline-bench.md
rm -rf "$models"
