#!/usr/bin/env bash
# provisio cdr import of CALLS FusionPBX CSV rows against a PREFIXES-prefix tariff (rate and
# store), as a whole process (elapsed and peak RSS from /usr/bin/time), against two baselines
# measured in the same run on the same disk:
#   1. sqlite3's own `.import --csv` of the same file into a plain table;
#   2. rating with a per-row longest-prefix SQL query (… WHERE ? LIKE prefix || '%' ORDER BY
#      length(prefix) DESC LIMIT 1) — timed on SAMPLE rows and scaled to CALLS, since the whole
#      file would take hours.
# Usage: cdr_import.sh PROVISIO BENCH_RATING [CALLS] [PREFIXES] [SAMPLE]
set -euo pipefail
provisio=$1 bench=$2 calls=${3:-1000000} prefixes=${4:-50000} sample=${5:-500}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
p init >/dev/null
"$bench" gen "$dir/rates.csv" "$dir/cdrs.csv" "$prefixes" "$calls"
p tariff import Bench "$dir/rates.csv" >/dev/null
p product add --name Metered --price 10 >/dev/null
p package set Metered --tariff Bench --free-minutes 100 >/dev/null
p client add --first-name Bench --email bench@example.org >/dev/null
p service add --client 1 --product Metered --domain "pbx.example.ca | 5192229000" --next-due 2027-05-01 >/dev/null
p service create 1 >/dev/null
sync
/usr/bin/time -f "%e s elapsed, %M KiB peak" -o "$dir/time" "$provisio" --config "$dir/provisio.toml" \
  cdr import --service 1 "$dir/cdrs.csv" > "$dir/out" || true
echo "cdr import of $calls rows, $prefixes prefixes: $(cat "$dir/time")"
stored=$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM cdrs")
[ "$stored" -eq "$calls" ] || { echo "expected $calls stored calls, found $stored"; cat "$dir/out"; exit 1; }
/usr/bin/time -f "%e s elapsed, %M KiB peak" -o "$dir/time" sqlite3 "$dir/plain.db" ".import --csv $dir/cdrs.csv cdrs"
echo "  baseline 1, sqlite3 .import --csv of the same file: $(cat "$dir/time")"
sqlite3 "$dir/rating.db" ".import --csv $dir/rates.csv tmp" \
  "CREATE TABLE rates AS SELECT Prefix AS prefix, RateValue AS rate FROM tmp; CREATE TABLE calls (number TEXT);"
# awk, not head: head closing the pipe early would fail the script under pipefail.
awk -F, -v n="$sample" 'NR > 1 && NR <= n + 1 { sub(/^011/, "", $6); print $6 }' "$dir/cdrs.csv" > "$dir/sample.txt"
sqlite3 "$dir/rating.db" ".import $dir/sample.txt calls"
start=$(date +%s.%N)
sqlite3 "$dir/rating.db" "SELECT count(*) FROM calls c, (SELECT 1) WHERE (SELECT rate FROM rates WHERE c.number LIKE prefix || '%'
  ORDER BY length(prefix) DESC LIMIT 1) IS NOT NULL" > /dev/null
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$sample" -v total="$calls" \
  'BEGIN { t = e - s; printf "  baseline 2, per-row LIKE query: %.3f s for %d rows = %.1f s for %d rows (scaled)\n", t, n, t * total / n, total }'
