#!/usr/bin/env bash
# Does a daily CDR import stay as fast as the table grows? DAYS successive daily FusionPBX
# exports of CALLS calls each (random call ids, newest start first, as FusionPBX exports them)
# imported by `provisio cdr import` into one database. Each day is paired in the same run with
# sqlite3's .import of the same file into a fresh plain table, and the script prints each day's
# time, ratio and the database's size, then the last day's time over the first's.
# Then duplicate detection: the first day imported again and a file overlapping two days must
# store nothing.
# Usage: cdr_days.sh PROVISIO BENCH_RATING [CALLS] [DAYS] [PREFIXES]
set -euo pipefail
provisio=$1 bench=$2 calls=${3:-1000000} days=${4:-10} prefixes=${5:-50000}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
"$bench" gen "$dir/rates.csv" "$dir/day.csv" "$prefixes" 0
"$here/cdr_pair.sh" seed "$provisio" "$dir" "$dir/rates.csv"
db="$dir/seed"
# The last line: /usr/bin/time puts "Command exited with non-zero status 1" before it.
seconds() { tail -n 1 "$dir/time" | awk '{ print $1 }'; }
first=""
for ((day = 0; day < days; day++)); do
  "$bench" gen "$dir/rates.csv" "$dir/day.csv" "$prefixes" "$calls" "$day" 1 desc
  [ "$day" -eq 0 ] && cp "$dir/day.csv" "$dir/first.csv"
  [ "$day" -eq 1 ] && cp "$dir/day.csv" "$dir/second.csv"
  sync
  /usr/bin/time -f "%e %M" -o "$dir/time" "$provisio" --config "$db/provisio.toml" cdr import --service 1 "$dir/day.csv" > "$dir/out" 2>&1 || [ $? -eq 1 ]
  ours=$(seconds); peak=$(tail -n 1 "$dir/time" | awk '{ print $2 }')
  /usr/bin/time -f "%e" -o "$dir/time" "$here/cdr_pair.sh" sqlite-import "$dir" "$dir/day.csv"
  base=$(seconds)
  stored=$(sqlite3 "$db/provisio.db" "SELECT count(*) FROM cdrs")
  [ "$stored" -eq $(( (day + 1) * calls )) ] || { echo "day $day: expected $(( (day + 1) * calls )) calls stored, found $stored"; exit 1; }
  [ -z "$first" ] && first=$ours
  awk -v d="$day" -v o="$ours" -v b="$base" -v s="$stored" -v p="$peak" -v f="$(stat -c %s "$db/provisio.db")" \
    'BEGIN { printf "day %2d: %.2f s, %d KiB peak (sqlite3 .import %.2f s, ratio %.2f); %d calls stored, %.0f MB\n", d, o, p, b, o / b, s, f / 1e6 }'
done
awk -v f="$first" -v l="$ours" 'BEGIN { printf "last day / first day: %.2f\n", l / f }'
# Exact duplicate detection: nothing from the first day again, nor from a file holding the second
# half of day 0 and the first half of day 1 (an export that overlaps two days).
before=$(sqlite3 "$db/provisio.db" "SELECT count(*), sum(cost_micros) FROM cdrs")
"$provisio" --config "$db/provisio.toml" cdr import --service 1 "$dir/first.csv" > /dev/null 2>&1 || [ $? -eq 1 ]
half=$((calls / 2))
{ head -1 "$dir/first.csv"; tail -n "$half" "$dir/second.csv"; head -n $((half + 1)) "$dir/first.csv" | tail -n "$half"; } > "$dir/overlap.csv"
"$provisio" --config "$db/provisio.toml" cdr import --service 1 "$dir/overlap.csv" > "$dir/out" 2>&1 || [ $? -eq 1 ]
after=$(sqlite3 "$db/provisio.db" "SELECT count(*), sum(cost_micros) FROM cdrs")
[ "$before" = "$after" ] || { echo "duplicates stored: $before before, $after after re-importing"; exit 1; }
grep -q "$((2 * half)) duplicate(s) skipped" "$dir/out" || { echo "expected $((2 * half)) duplicates skipped:"; grep -v '^unrated' "$dir/out"; exit 1; }
echo "re-imported day 0 and a file overlapping days 0 and 1: nothing stored twice ($after)"
