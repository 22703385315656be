#!/usr/bin/env bash
# The sluice command on a real terminal (tmux): line editing and history in the shell, and
# `run`'s live status line rewritten in place. Usage: terminal_test.sh PATH_TO_SLUICE
set -u
sluice=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
socket="sluice-test-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null; rm -rf "$work"' EXIT
failures=0
check() {
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
screen() { tmux -L "$socket" capture-pane -p -t t; }
wait_for() {  # text, seconds
  for _ in $(seq 1 $(($2 * 10))); do
    screen | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
# Literal text; a ';' ending a tmux argument separates commands unless escaped.
type_text() { tmux -L "$socket" send-keys -t t -l "${1//;/\\;}"; }
press() { tmux -L "$socket" send-keys -t t "$@"; }

# The shell: a typo fixed with backspace, then the statement recalled from history.
HOME=$work tmux -L "$socket" new-session -d -s t -x 160 -y 50 "$sluice"
check "shell starts with a greeting" wait_for "\\help for help" 5
type_text "CREATE SOURCE t (n BIGINT);"
press Enter
check "shell runs a statement" wait_for "CREATE SOURCE t"$'\n' 5
check "shell printed the statement's result" wait_for "sluice> " 1
type_text "SHOW SOURCEX"
press BSpace
type_text "S;"
press Enter
check "backspace edits the line" wait_for "(1 row)" 5
press Up
press Enter
sleep 1
check "Up recalls the last statement" test "$(screen | grep -c '(1 row)')" -eq 2
type_text '\q'
press Enter
sleep 0.5
# libedit's history file escapes spaces as \040.
check "history is saved" grep -qF 'SHOW\040SOURCES;' "$work/.sluice_history"
tmux -L "$socket" kill-session -t t 2>/dev/null

# run: on a terminal the status line is rewritten in place, not repeated.
cat > "$work/slow.sql" <<SQL
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', rate = '20000', limit = '50000');
CREATE SINK b FROM bid INTO blackhole ();
SQL
tmux -L "$socket" new-session -d -s t -x 160 -y 50 "$sluice run $work/slow.sql; echo EXIT=\$?; sleep 5"
check "run finishes" wait_for "EXIT=0" 15
check "one status line on the screen" test "$(screen | grep -c 'sinks: b ')" -eq 1
check "the status line has the totals" wait_for "in 46000 " 1

echo "terminal: $((9 - failures)) passed, $failures failed"
exit "$failures"
