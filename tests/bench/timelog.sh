#!/usr/bin/env bash
# The daily time-credit run over SERVICES timelog services with a cycle due, as a whole process
# (elapsed and peak RSS from /usr/bin/time), against a baseline from the same run: the same
# number of ledger rows inserted by the sqlite3 shell.
# Usage: timelog.sh PROVISIO BENCH_BILLING TIMELOG_SO [SERVICES]
set -euo pipefail
provisio=$1 bench=$2 module=$3 services=${4:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
"$provisio" --config "$dir/provisio.toml" init >/dev/null
# INLINE=yes runs the module inside provisio instead of in runners (the comparison for containment).
[ "${INLINE:-no}" = yes ] && sed -i 's/^inline = \[\]/inline = ["timelog"]/' "$dir/provisio.toml"
install -m 0755 "$module" "$dir/modules/timelog.so"
"$bench" seed-timelog "$dir/provisio.db" "$services"
/usr/bin/time -f "%e s elapsed (%U user %S sys), %M KiB peak" -o "$dir/time" \
  "$provisio" --config "$dir/provisio.toml" --now 2026-03-10T12:00:00Z timelog generate >/dev/null
echo "time-credit cycles for $services services: $(cat "$dir/time")"
posted=$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM time_ledger WHERE entry_date = '2026-03-10'")
[ "$posted" -eq $((services * 2)) ] || { echo "expected $((services * 2)) entries, found $posted"; exit 1; }
/usr/bin/time -f "%e s elapsed (%U user %S sys), %M KiB peak" -o "$dir/time" sqlite3 "$dir/provisio.db" \
  "BEGIN; INSERT INTO time_ledger (client_id, service_id, at, entry_date, micro_hours, kind, description, period)
   SELECT client_id, service_id, at, '2026-03-11', micro_hours, kind, description, period || ':copy' FROM time_ledger
   WHERE entry_date = '2026-03-10'; COMMIT;"
echo "  baseline, sqlite3 inserting the same $((services * 2)) ledger rows: $(cat "$dir/time")"
