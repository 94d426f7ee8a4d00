#!/usr/bin/env bash
# What the client area and the API will ask of stored calls, over CALLS stored CDRs (ten months
# of 2027, random call ids, ids and quarter-hour totals as imports store them) spread over SERVICES
# services of one client each; service 1 is a busy client with a tenth of all calls. Whole
# processes, medians of 11 runs, against `provisio --version` (process start-up):
#   - a client's month summary (calls, minutes, cost per day): a typical client and the busy one;
#   - a page of 50 calls of one service with date filters: the first page and one deep in it;
#   - an export of the busy client's month streamed as JSON: peak memory against one day's.
# Then the same queries in process (bench_usage), as `provisio serve` makes them.
# Usage: usage_queries.sh PROVISIO BENCH_USAGE [CALLS] [SERVICES]
set -euo pipefail
provisio=$1 bench=$2 calls=${3:-10000000} services=${4:-2000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
p init >/dev/null
printf 'Description,Prefix,RateValue,Increment\nNANP,1,0.01,6\n' > "$dir/rates.csv"
p tariff import Wholesale "$dir/rates.csv" >/dev/null
p product add --name Voice --price 20 >/dev/null
p package set Voice --tariff Wholesale >/dev/null
seconds=$((304 * 86400))  # 2027-01-01 to 2027-11-01
sqlite3 "$dir/provisio.db" "
  BEGIN;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $services)
  INSERT INTO clients (id, first_name, email, currency, created_at) SELECT i, 'c' || i, 'c' || i || '@example.org', 'USD', '2026-12-01T00:00:00Z' FROM n;
  INSERT INTO services (id, client_id, product_id, status, domain, created_at, updated_at)
    SELECT id, id, 1, 'Active', 'c' || id || '.example', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z' FROM clients;
  COMMIT;
  BEGIN;
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $calls - 1),
  c(i, service, at, bill) AS (
    SELECT i, CASE WHEN abs(random()) % 10 = 0 THEN 1 ELSE 2 + abs(random()) % ($services - 1) END,
           unixepoch('2027-01-01') + i * $seconds / $calls, abs(random()) % 400 FROM n)
  INSERT INTO cdrs (id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at, answer_at, end_at,
                    duration, billsec, hangup_cause, status, number, billed_seconds, cost_micros, imported_at)
  SELECT at * 1000000 + i % 1000000, service, 'fusionpbx', lower(hex(randomblob(16))), 'outbound', '2112', '1519' || (1000000 + i % 9000000), '',
         strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%SZ', at + 5, 'unixepoch'),
         strftime('%Y-%m-%dT%H:%M:%SZ', at + 5 + bill, 'unixepoch'), 5 + bill, bill, 'NORMAL_CLEARING',
         CASE WHEN bill = 0 THEN 'unanswered' ELSE 'rated' END, '1519' || (1000000 + i % 9000000), (bill + 5) / 6 * 6,
         (bill + 5) / 6 * 6 * 10000 / 60, '2027-11-01T00:00:00Z' FROM c;
  INSERT INTO cdr_quarters (service_id, quarter_at, calls, billed_seconds, cost_micros)
    SELECT service_id, id / 1000000 / 900 * 900, count(*), sum(billed_seconds), sum(cost_micros) FROM cdrs GROUP BY 1, 2;
  COMMIT;"
echo "seeded $calls calls over $services services ($(du -m "$dir/provisio.db" | cut -f1) MB)"
median_ms() {  # median_ms COMMAND...: the median wall time of 11 runs, to a tenth of a millisecond
  local s e
  for ((i = 0; i < 11; i++)); do s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 100000 )); done |
    sort -n | awk '{ t[NR] = $1 } END { printf "%.1f ms", t[int((NR + 1) / 2)] / 10 }'
}
typical=$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM cdrs WHERE service_id = 2 AND start_at >= '2027-06-01' AND start_at < '2027-07-01'")
busy=$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM cdrs WHERE service_id = 1 AND start_at >= '2027-06-01' AND start_at < '2027-07-01'")
echo "month summary, a typical client ($typical calls in June): $(median_ms "$provisio" --config "$dir/provisio.toml" --json cdr summary --client 2 --month 2027-06)"
echo "month summary, the busy client ($busy calls in June): $(median_ms "$provisio" --config "$dir/provisio.toml" --json cdr summary --client 1 --month 2027-06)"
p --json cdr summary --client 2 --month 2027-06 | grep -q "\"calls\": $typical" || { echo "the summary does not count $typical calls"; exit 1; }
echo "a page of 50 calls, the busy client's June, first page: $(median_ms "$provisio" --config "$dir/provisio.toml" cdr list --service 1 --from 2027-06-01 --to 2027-07-01 --limit 50)"
deep=$(sqlite3 "$dir/provisio.db" "SELECT id FROM cdrs WHERE service_id = 1 AND id >= unixepoch('2027-06-25') * 1000000 ORDER BY id LIMIT 1")
echo "  the same, a page late in the month (--after $deep): $(median_ms "$provisio" --config "$dir/provisio.toml" cdr list --service 1 --from 2027-06-01 --to 2027-07-01 --limit 50 --after "$deep")"
echo "  baseline, provisio --version: $(median_ms "$provisio" --version)"
/usr/bin/time -f "%e s, %M KiB peak" -o "$dir/t" "$provisio" --config "$dir/provisio.toml" --json cdr list --service 1 --from 2027-06-01 --to 2027-07-01 > "$dir/export.json"
echo "export of the busy client's June as JSON ($(grep -o '"source_id"' "$dir/export.json" | wc -l) calls): $(cat "$dir/t")"
/usr/bin/time -f "%e s, %M KiB peak" -o "$dir/t" "$provisio" --config "$dir/provisio.toml" --json cdr list --service 1 --from 2027-06-01 --to 2027-06-02 > /dev/null
echo "  baseline, one day of it: $(cat "$dir/t")"
"$bench" "$dir/provisio.db" 2 2027-06-01 2027-07-01
"$bench" "$dir/provisio.db" 1 2027-06-01 2027-07-01
