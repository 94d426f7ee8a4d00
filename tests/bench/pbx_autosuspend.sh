#!/usr/bin/env bash
# Autosuspend through a real server module over HTTP: SERVICES VoIP clients out of credit, one
# LesNet peer each, spread over 3 LesNet simulators that answer every request after DELAY_MS.
# Measures the sweep with per-server concurrency (3 servers × --max-concurrent 24, 64 workers),
# then, in the same run, the unsuspend sweep and the same suspend sweep one call at a time.
# Usage: pbx_autosuspend.sh PROVISIO LESNET_SO LESNET_SIM [SERVICES] [DELAY_MS]
# (SERIAL_BASELINE=no skips the one-at-a-time sweep; WORKERS and PER_SERVER change the limits.)
set -euo pipefail
export SERIAL_BASELINE=${SERIAL_BASELINE:-yes}
provisio=$1 module=$2 sim=$3 services=${4:-2000} delay=${5:-20}
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
chmod 700 "$dir"
p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
p init >/dev/null
sed -i "s/^workers = 8 /workers = ${WORKERS:-64}/" "$dir/provisio.toml"
# INLINE=yes runs the module inside provisio instead of in runners (the comparison for containment).
[ "${INLINE:-no}" = yes ] && sed -i 's/^inline = \[\]/inline = ["lesnet"]/' "$dir/provisio.toml"
install -m 0755 "$module" "$dir/modules/lesnet.so"
p field add-voip >/dev/null
for s in 0 1 2; do
  args=()
  for ((i = s; i < services; i += 3)); do args+=(--peer "PEER$i=1204555$i"); done
  "$sim" --fault "latency:$delay" "${args[@]}" > "$dir/sim$s.url" &
  pids+=($!)
done
for s in 0 1 2; do
  for _ in $(seq 100); do [ -s "$dir/sim$s.url" ] && break; sleep 0.05; done
  port=$(sed -E 's#http://127.0.0.1:([0-9]+)/#\1#' "$dir/sim$s.url")
  p server add --name "les$s" --module lesnet --hostname 127.0.0.1 --port "$port" --secure no \
    --username 11330 --password demo-apikey --max-concurrent ${PER_SERVER:-24} >/dev/null
done
p product add --name Trunk --module lesnet --price 10 >/dev/null
printf 'Description,Prefix,RateValue,Increment\nNANP,1,0.01,6\n' > "$dir/rates.csv"
p tariff import Wholesale "$dir/rates.csv" >/dev/null
p package set Trunk --tariff Wholesale >/dev/null  # a VoIP package: the sweep looks at its services
p mail template add "VoIP Zero Balance" --subject "VoIP paused" --body 'Credit: {$client_credit}' >/dev/null
sqlite3 "$dir/provisio.db" "
  BEGIN;
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $services - 1)
  INSERT INTO clients (id, first_name, email, currency, created_at, credit_micros)
    SELECT i + 1, 'c' || i, 'c' || i || '@example.org', 'USD', '2026-01-01T00:00:00Z', 0 FROM n;
  INSERT INTO client_field_values (client_id, field_id, value)
    SELECT id, (SELECT id FROM client_fields WHERE name = 'Has VoIP Service'), 'Yes' FROM clients;
  INSERT INTO services (client_id, product_id, server_id, status, domain, next_due_date, created_at, updated_at)
    SELECT c.id, 1, (SELECT s.id FROM servers s WHERE s.name = 'les' || ((c.id - 1) % 3)), 'Active',
           'PEER' || (c.id - 1) || ' | 1204555' || (c.id - 1), '2026-04-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM clients c;
  COMMIT;"
sweep() {
  /usr/bin/time -f "%e s elapsed (%U s user, %S s system), %M KiB peak" -o "$dir/time" \
    "$provisio" --config "$dir/provisio.toml" --now "$1" cron --task autosuspend > "$dir/out" 2>&1 || { tail -5 "$dir/out"; exit 1; }
}
count() { sqlite3 "$dir/provisio.db" "SELECT count(*) FROM services WHERE status = '$1'"; }
check() {
  [ "$(count "$1")" -eq "$services" ] || { echo "expected $services services $1, found $(count "$1")"; tail -5 "$dir/out"; exit 1; }
}

sweep 2026-03-10T12:00:00Z
check Suspended
echo "autosuspend of $services LesNet services on 3 simulated servers, $delay ms per call, 3 × ${PER_SERVER:-24} in flight (${WORKERS:-64} workers): $(cat "$dir/time")"
sqlite3 "$dir/provisio.db" "UPDATE clients SET credit_micros = 10000000"
sweep 2026-03-10T12:05:00Z
check Active
echo "  the unsuspend sweep that follows: $(cat "$dir/time")"
[ "$SERIAL_BASELINE" = yes ] || exit 0
sqlite3 "$dir/provisio.db" "UPDATE clients SET credit_micros = 0"
for s in 0 1 2; do p server set "les$s" --max-concurrent 1 >/dev/null; done
sed -i 's/^workers = 64/workers = 1 /' "$dir/provisio.toml"
sweep 2026-03-10T12:10:00Z
check Suspended
echo "  baseline, the same suspend sweep one call at a time: $(cat "$dir/time")"
