#!/usr/bin/env bash
# Capture through the stripe module over HTTP: INVOICES due invoices, one client each with a saved
# card, charged by `cron --task capture` against the Stripe simulator answering every request
# after DELAY_MS. Measures the run with the account's --max-concurrent PER_SERVER and
# [payments] capture_workers WORKERS, then, as the baseline a one-at-a-time gateway client gives,
# SERIAL invoices charged one at a time (the time per charge times INVOICES is what all would take).
# Usage: capture.sh PROVISIO STRIPE_SO STRIPE_SIM [INVOICES] [DELAY_MS] [SERIAL]
set -euo pipefail
provisio=$1 module=$2 sim=$3 invoices=${4:-10000} delay=${5:-100} serial=${6:-100}
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
chmod 700 "$dir"
p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
p init >/dev/null
install -m 0755 "$module" "$dir/modules/stripe.so"
sed -i "s/^workers = 8 /workers = ${RUNNERS:-8}/; s/^capture_workers = 16 /capture_workers = ${WORKERS:-128}/; s/^gateway = \"\" /gateway = \"stripe\"/" "$dir/provisio.toml"
total=$((invoices + serial))
"$sim" --cards "$total" --fault "latency:$delay" > "$dir/sim.url" &
pids+=($!)
for _ in $(seq 200); do [ -s "$dir/sim.url" ] && break; sleep 0.05; done
port=$(sed -E 's#.*http://127.0.0.1:([0-9]+)/.*#\1#' "$dir/sim.url")
p server add --name stripe --module stripe --hostname 127.0.0.1 --port "$port" --secure no --password sk_test_provisio \
  --option webhook_secret=whsec_provisio --max-concurrent "${PER_SERVER:-128}" >/dev/null
# Clients, their saved cards (the simulator's cus_simN / pm_simN) and an unpaid invoice each, due
# 2026-12-10; the serial ones are due a month later, out of the first run's window.
sqlite3 "$dir/provisio.db" "
  BEGIN;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $total)
  INSERT INTO clients (id, first_name, email, currency, created_at) SELECT i, 'c' || i, 'c' || i || '@example.org', 'USD', '2026-11-01T00:00:00Z' FROM n;
  INSERT INTO payment_methods (client_id, gateway, customer, token, label, is_default, created_at)
    SELECT id, 'stripe', 'cus_sim' || id, 'pm_sim' || id, 'Visa ending 4242', 1, '2026-11-01T00:00:00Z' FROM clients;
  INSERT INTO invoices (id, client_id, status, kind, invoice_date, due_date, subtotal_micros, total_micros, created_at)
    SELECT id, id, 'Unpaid', 'manual', '2026-12-03', CASE WHEN id <= $invoices THEN '2026-12-10' ELSE '2027-01-10' END,
           25990000, 25990000, '2026-12-03T00:00:00Z' FROM clients;
  INSERT INTO invoice_items (invoice_id, item_type, description, amount_micros) SELECT id, 'manual', 'Hosted PBX', 25990000 FROM invoices;
  COMMIT;"
sed -i 's/^capture_days_before = 0 /capture_days_before = 7 /' "$dir/provisio.toml"
run() {
  /usr/bin/time -f "%e s elapsed (%U s user, %S s system), %M KiB peak" -o "$dir/time" \
    "$provisio" --config "$dir/provisio.toml" --now "$1" cron --task capture > "$dir/out" 2>&1 || { tail -5 "$dir/out"; exit 1; }
}
paid() { sqlite3 "$dir/provisio.db" "SELECT count(*) FROM invoices WHERE status = 'Paid'"; }
run 2026-12-05T10:00:00Z
[ "$(paid)" -eq "$invoices" ] || { echo "expected $invoices invoices paid, found $(paid)"; tail -5 "$dir/out"; exit 1; }
[ "$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM transactions")" -eq "$invoices" ] || { echo "not one payment per invoice"; exit 1; }
echo "capture of $invoices invoices, simulator answering in $delay ms, ${PER_SERVER:-128} in flight (${RUNNERS:-8} runners): $(cat "$dir/time")"
[ "$serial" -gt 0 ] || exit 0
p server set stripe --max-concurrent 1 >/dev/null
sed -i "s/^capture_workers = ${WORKERS:-128}/capture_workers = 1/" "$dir/provisio.toml"
run 2027-01-05T10:00:00Z
[ "$(paid)" -eq "$total" ] || { echo "expected $total invoices paid, found $(paid)"; exit 1; }
echo "  baseline, $serial invoices one at a time: $(cat "$dir/time")"
