#!/usr/bin/env bash
# Whole-process billing benchmarks, each with a baseline from the same run:
#   - a cron run with nothing due (against `provisio --version`);
#   - invoice generation for SERVICES due services (peak memory from /usr/bin/time).
# Usage: billing.sh PROVISIO BENCH_BILLING [SERVICES]
set -euo pipefail
provisio=$1 bench=$2 services=${3:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
p init >/dev/null

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Nothing due: a fresh database, twenty runs in the same business day after the first.
p --now 2026-03-01T12:00:00Z cron >/dev/null
idle=$(for _ in $(seq 20); do ms p --now 2026-03-01T12:05:00Z cron; done | median)
base=$(for _ in $(seq 20); do ms "$provisio" --version; done | median)
echo "cron with nothing due: median ${idle} ms over 20 runs   (baseline provisio --version: ${base} ms)"

"$bench" seed "$dir/provisio.db" "$services"
sqlite3 "$dir/provisio.db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
cp "$dir/provisio.db" "$dir/baseline.db"
/usr/bin/time -f "%e s elapsed, %M KiB peak" -o "$dir/time" \
  "$provisio" --config "$dir/provisio.toml" --now 2026-03-05T12:00:00Z invoice generate
echo "invoice generation for $services due services: $(cat "$dir/time")"
count=$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM invoice_items")
[ "$count" -eq "$services" ] || { echo "expected $services invoice lines, found $count"; exit 1; }
# Baselines in the same run, each on its own copy of the seeded database: set-based SQL writing
# the same invoices and lines (invoice_generation.sql), and the same followed by the "Invoice
# Created" mail provisio queues for each (invoice_mail.sql) — every row provisio writes here.
sql=$(dirname "$0")
cp "$dir/baseline.db" "$dir/baseline_mail.db"
/usr/bin/time -f "%e s elapsed, %M KiB peak" -o "$dir/time" \
  sqlite3 "$dir/baseline.db" "BEGIN" ".read $sql/invoice_generation.sql" "COMMIT"
echo "  baseline, set-based SQL writing the same invoices and lines: $(cat "$dir/time")"
/usr/bin/time -f "%e s elapsed, %M KiB peak" -o "$dir/time" \
  sqlite3 "$dir/baseline_mail.db" "BEGIN" ".read $sql/invoice_generation.sql" ".read $sql/invoice_mail.sql" "COMMIT"
echo "  baseline, the same and the queued mail (every row provisio writes): $(cat "$dir/time")"
for b in baseline baseline_mail; do
  same=$(sqlite3 "$dir/provisio.db" "ATTACH '$dir/$b.db' AS b;
    SELECT (SELECT count(*) FROM (SELECT client_id, due_date, subtotal_micros FROM main.invoices
                                   EXCEPT SELECT client_id, due_date, subtotal_micros FROM b.invoices))
         + (SELECT count(*) FROM (SELECT item_id, description, amount_micros, natural_key FROM main.invoice_items
                                  EXCEPT SELECT item_id, description, amount_micros, natural_key FROM b.invoice_items))
         + (SELECT count(*) FROM (SELECT id, next_invoice_date FROM main.services EXCEPT SELECT id, next_invoice_date FROM b.services))")
  [ "$same" -eq 0 ] || { echo "$b wrote other invoices, lines or dates than provisio ($same differ)"; exit 1; }
done
mail=$(sqlite3 "$dir/provisio.db" "ATTACH '$dir/baseline_mail.db' AS b;
  SELECT count(*) FROM (SELECT recipients, subject, body, natural_key FROM main.mail_outbox
                        EXCEPT SELECT recipients, subject, body, natural_key FROM b.mail_outbox)")
[ "$mail" -eq 0 ] || { echo "the mail baseline queued other messages than provisio ($mail differ)"; exit 1; }
