#!/usr/bin/env bash
# Run by ctest (demo.try): the README's first command, scripts/try, into a scratch demo folder.
# Checks that it says it removes an earlier demo, that its clock only moves forward, that of the
# simulated days only those on which a task did something are shown, and that an echoed command
# pasted after the echoed alias gives the output the demo showed for it.
set -euo pipefail
root=$1 work=$2
fail() { echo "demo.try: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/demo"
echo "from an earlier demo" > "$work/demo/left-over"
out=$work/out.txt
PROVISIO_DEMO_DIR="$work/demo" "$root/scripts/try" > "$out" 2> "$work/err.txt" || { cat "$work/err.txt" >&2; fail "scripts/try failed"; }

grep -q "^Removing the earlier demo in $work/demo " "$out" || fail "it did not say it removes the earlier demo"
[ ! -e "$work/demo/left-over" ] || fail "the earlier demo was not removed"

# The clock: every echoed command and every day shown, in order.
times=$(grep -E '^(\$ |--- cron at )' "$out" | grep -oE '(provisio --now|--- cron at) [0-9T:Z-]+' | awk '{print $NF}')
[ "$(wc -l <<<"$times")" -gt 100 ] || fail "fewer commands than expected carry --now"
prev=""
while read -r t; do
  [[ -z $prev || ! $t < $prev ]] || fail "the clock went back from $prev to $t"
  prev=$t
done <<<"$times"

# The days shown: each begins with a task that did something or failed, and the quiet ones are left out.
days=$(grep -c '^--- cron at ' "$out" || true)
[ "$days" -gt 0 ] || fail "no simulated day is shown"
[ "$days" -lt 30 ] || fail "$days simulated days are shown: the quiet ones are not left out"
quiet=$(grep -A1 '^--- cron at ' "$out" | grep -vE '^(--- cron at |--$|  [a-z-]+ +([1-9][0-9]* done|[0-9]+ done, [0-9]+ error))' || true)
[ -z "$quiet" ] || fail "a day is shown on which nothing was done: $quiet"

# The API: serve answered the demo's request with the client, and was stopped.
grep -q '^{"id":[0-9]*,"first_name":"Hedy"' "$out" || fail "provisio serve did not answer the demo's API request"
grep -q '^(stopped; PROVISIO_SERVE=yes' "$out" || fail "provisio serve was not stopped"

# Pasting: an echoed command with a quoted argument, after the echoed alias.
alias_line=$(grep -m1 '^  alias provisio=' "$out" | sed 's/^  //')
[ -n "$alias_line" ] || fail "no alias line to paste"
command=$(grep -m1 -E "^\\\$ provisio --now [0-9T:Z-]+ package show 'VoIP Metered'\$" "$out" | sed 's/^\$ //')
[ -n "$command" ] || fail "no echoed 'package show' with a quoted name"
expected=$(awk -v line="\$ $command" '$0 == line {on = 1; next} on && /^$/ {exit} on' "$out")
actual=$(bash -c "shopt -s expand_aliases
$alias_line
$command")
[ "$actual" = "$expected" ] || fail "pasting '$command' gave:
$actual
instead of:
$expected"
# The payments part: the top-up paid through the hosted page and its webhook, and the PDF it printed.
grep -q "^1      50.00   stripe   operator  paid" "$out" || fail "the top-up through the Stripe simulator was not paid"
pdf=$(grep -oE "^invoice #[0-9]+: /.*\.pdf$" "$out" | tail -1 | sed 's/^invoice #[0-9]*: //')
[ -s "$pdf" ] || fail "the invoice PDF the demo printed ($pdf) is not there"
[ -s "${pdf%.pdf}.png" ] || fail "the invoice PDF's first page was not rendered"
echo "demo.try: $days day(s) shown, $(wc -l <<<"$times") timestamps in order, '$command' pastes"
