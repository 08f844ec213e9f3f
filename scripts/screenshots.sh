#!/usr/bin/env bash
# Makes screenshots/*.png from real runs of the release binary in a real terminal (tmux):
# the live feed, the histogram zoomed in and out, a drill-down, the help and the light theme,
# all on the bundled test_logs/.
#
#   apt-get install -y tmux && pip install pillow && scripts/screenshots.sh
#
# Each picture is `tmux capture-pane -e` (text plus colours) drawn cell by cell by
# scripts/ansi_to_png.py; the .txt captures are kept beside them for review.
set -euo pipefail
cd "$(dirname "$0")/.."

COLS=${COLS:-110}
ROWS=${ROWS:-32}
OUT=screenshots
BIN=.build/release/tripline
[ -x "$BIN" ] || swift build -c release
mkdir -p "$OUT"
work=$(mktemp -d)
sock=tripline-shots
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$BIN" train --data-path test_logs/auth.log --baseline-days 1 --model-dir "$work/models" >/dev/null 2>&1 || { echo "screenshots: training failed" >&2; exit 1; }

# Waits until the pane shows $1 (a fixed string), for up to 15 s.
wait_for() {
  for _ in $(seq 150); do
    if tm capture-pane -p -t shot | grep -qF -- "$1"; then return 0; fi
    sleep 0.1
  done
  echo "screenshots: gave up waiting for '$1' on screen" >&2
  tm capture-pane -p -t shot >&2
  return 1
}

# shot NAME [--light]: captures the pane and draws it.
shot() {
  sleep 0.4 # let the last redraw land
  tm capture-pane -e -p -t shot > "$OUT/$1.txt"
  python3 scripts/ansi_to_png.py "$OUT/$1.txt" "$OUT/$1.png" --cols "$COLS" --rows "$ROWS" ${2:-}
  echo "wrote $OUT/$1.png"
}

start() {
  tm new-session -d -s shot -x "$COLS" -y "$ROWS" "env LANG=C.UTF-8 TZ=UTC TERM=xterm-256color $BIN dashboard test_logs/auth.log --from-start --model-dir $work/models $*; sleep 30"
  tm set-option -g -t shot default-terminal xterm-256color >/dev/null 2>&1 || true
}

start --theme dark
wait_for "brute force"
shot feed
# The histogram: zoomed in to hours, then out to days.
tm send-keys -t shot +
wait_for "zoomed"
shot histogram-in
tm send-keys -t shot - - 
wait_for "per day"
shot histogram-out
tm send-keys -t shot z
tm send-keys -t shot Enter
wait_for "ANOMALIES ("
shot drill-down
tm send-keys -t shot Escape
tm send-keys -t shot '?'
wait_for "Keys"
shot help
tm send-keys -t shot Escape q
tm kill-session -t shot 2>/dev/null || true

start --theme light
wait_for "brute force"
shot light --light
tm send-keys -t shot q
