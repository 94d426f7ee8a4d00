#!/usr/bin/env bash
# The autosuspend sweep over CLIENTS VoIP clients (one service each, spread over 4 servers), of
# whom 2% are out of credit, against a module that takes DELAY_MS per call, as a whole process
# (elapsed and peak RSS from /usr/bin/time). Baselines in the same run: the same sweep when
# nobody needs a change (the scan alone), and the module calls made one at a time (the 2% ×
# DELAY_MS a serial sweep would spend waiting, worked out).
# Usage: autosuspend.sh PROVISIO SCRIPTED_SO [CLIENTS] [DELAY_MS]
set -euo pipefail
provisio=$1 module=$2 clients=${3:-100000} delay=${4:-20}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
p init >/dev/null
sed -i 's/^workers = 8 /workers = 64/' "$dir/provisio.toml"
install -m 0755 "$module" "$dir/modules/scripted.so"
p field add-voip >/dev/null
printf 'Description,Prefix,RateValue,Increment\nNANP,1,0.01,6\n' > "$dir/rates.csv"
p tariff import Wholesale "$dir/rates.csv" >/dev/null
for s in 1 2 3 4; do p server add --name "pbx$s" --module scripted --hostname "pbx$s.example" --max-concurrent 16 >/dev/null; done
p product add --name Voice --module scripted --price 20 --setting region=ca --setting "delay_ms=$delay" >/dev/null
p package set Voice --tariff Wholesale >/dev/null
p mail template add "VoIP Zero Balance" --subject "VoIP paused" --body 'Credit: {$client_credit}' >/dev/null
# Every 50th client (2%) has no credit; the rest have 10.00.
sqlite3 "$dir/provisio.db" "
  BEGIN;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $clients)
  INSERT INTO clients (id, first_name, email, currency, created_at, credit_micros)
    SELECT i, 'c' || i, 'c' || i || '@example.org', 'USD', '2026-01-01T00:00:00Z', CASE WHEN i % 50 = 0 THEN 0 ELSE 10000000 END FROM n;
  INSERT INTO client_field_values (client_id, field_id, value)
    SELECT id, (SELECT id FROM client_fields WHERE name = 'Has VoIP Service'), 'Yes' FROM clients;
  INSERT INTO services (client_id, product_id, server_id, status, domain, next_due_date, created_at, updated_at)
    SELECT id, 1, 1 + id % 4, 'Active', 'c' || id || '.example', '2026-04-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM clients;
  COMMIT;"
sweep() {
  /usr/bin/time -f "%e s elapsed, %M KiB peak" -o "$dir/time" \
    "$provisio" --config "$dir/provisio.toml" --now "$1" cron --task autosuspend > "$dir/out"
}
sweep 2026-03-10T12:00:00Z
suspended=$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM services WHERE status = 'Suspended' AND suspended_by = 'autosuspend'")
echo "autosuspend of $clients VoIP clients, $suspended suspended, $delay ms per module call: $(cat "$dir/time")"
[ "$suspended" -eq $((clients / 50)) ] || { echo "expected $((clients / 50)) suspended, found $suspended"; cat "$dir/out"; exit 1; }
sweep 2026-03-11T12:00:00Z
echo "  baseline, the same sweep with nobody to change (a new day's first sweep: every client): $(cat "$dir/time")"
awk -v n="$suspended" -v d="$delay" 'BEGIN { printf "  baseline, the module calls one at a time: %.1f s of waiting alone\n", n * d / 1000 }'
# Idle cron: the day's daily tasks done by a first run, then runs five minutes apart with nothing
# due — autosuspend looks only at clients changed since its last sweep (none; then one).
"$provisio" --config "$dir/provisio.toml" --now 2026-03-11T12:05:00Z cron > /dev/null
idle() {  # idle LABEL FIRST_MINUTE: the median wall time of 11 runs, 5 minutes apart
  for ((i = 0; i < 11; i++)); do
    /usr/bin/time -f "%e" -a -o "$dir/idle.$1" "$provisio" --config "$dir/provisio.toml" \
      --now "$(printf '2026-03-11T%02d:%02d:00Z' $((13 + ($2 + i * 5) / 60)) $((($2 + i * 5) % 60)))" cron --verbose > "$dir/out"
  done
  sort -n "$dir/idle.$1" | awk '{ t[NR] = $1 } END { printf "%.0f ms (median of %d)", t[int((NR + 1) / 2)] * 1000, NR }'
}
for ((i = 0; i < 11; i++)); do /usr/bin/time -f "%e" -a -o "$dir/version" "$provisio" --version > /dev/null; done
echo "provisio cron with nothing due, $clients VoIP clients: $(idle quiet 0)"
grep -q "0 VoIP client(s) checked" "$dir/out" || { echo "expected an idle sweep to check no client:"; cat "$dir/out"; exit 1; }
echo "  baseline, provisio --version: $(sort -n "$dir/version" | awk '{ t[NR] = $1 } END { printf "%.0f ms", t[int((NR + 1) / 2)] * 1000 }')"
