#!/usr/bin/env bash
# provisio cdr import of CALLS FusionPBX CSV rows (random call ids, newest start first, as
# FusionPBX exports them; ORDER end or asc for the other orders) against a PREFIXES-prefix tariff
# (rate and store), as a whole process (elapsed and peak RSS from /usr/bin/time), against
# baselines measured in the same run on the same disk:
#   1. sqlite3's own `.import --csv` of the same file into a plain table;
#   2. the SQL an operator would write (operator_rating.sql: the card keyed by prefix, an indexed
#      IN list of the number's first 1..8 digits, calls stored under a unique call id);
#   footnote: a per-row `LIKE prefix || '%'` query, timed on SAMPLE rows and scaled to CALLS.
# One run of each; for paired figures run cdr_pair.sh under farm-bench (docs/performance.md).
# Usage: cdr_import.sh PROVISIO BENCH_RATING [CALLS] [PREFIXES] [SAMPLE] [ORDER]
set -euo pipefail
provisio=$1 bench=$2 calls=${3:-1000000} prefixes=${4:-50000} sample=${5:-500} order=${6:-desc}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
"$bench" gen "$dir/rates.csv" "$dir/cdrs.csv" "$prefixes" "$calls" 0 1 "$order"
"$here/cdr_pair.sh" seed "$provisio" "$dir" "$dir/rates.csv"
sync
timed() { /usr/bin/time -f "%e s elapsed, %M KiB peak" -o "$dir/time" "$@"; cat "$dir/time"; }
echo "cdr import of $calls rows ($order), $prefixes prefixes: $(timed "$here/cdr_pair.sh" provisio "$provisio" "$dir" "$dir/cdrs.csv")"
stored=$(sqlite3 "$dir/run/provisio.db" "SELECT count(*) FROM cdrs")
[ "$stored" -eq "$calls" ] || { echo "expected $calls stored calls, found $stored"; cat "$dir/run.out"; exit 1; }
echo "  baseline 1, sqlite3 .import --csv of the same file: $(timed "$here/cdr_pair.sh" sqlite-import "$dir" "$dir/cdrs.csv")"
echo "  baseline 2, the operator's SQL (operator_rating.sql): $(timed "$here/cdr_pair.sh" operator-sql "$dir" "$dir/rates.csv" "$dir/cdrs.csv")"
rated=$(sqlite3 "$dir/operator.db" "SELECT count(*) FROM calls WHERE prefix IS NOT NULL")
ours=$(sqlite3 "$dir/run/provisio.db" "SELECT count(*) FROM cdrs WHERE status = 'rated'")
echo "    calls rated: provisio $ours, the operator's SQL $rated (it applies no grace period, filters or free minutes)"
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
  'BEGIN { t = e - s; printf "  footnote, a per-row LIKE query: %.3f s for %d rows = %.1f s for %d rows (scaled)\n", t, n, t * total / n, total }'
