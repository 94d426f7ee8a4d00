#!/usr/bin/env bash
# Pulling and rating CALLS answered calls from FusionPBX's v_xml_cdr in a real PostgreSQL (a
# scratch server started by fusionpbx-sim) with `provisio cdr collect`, as a whole process.
# Baseline in the same run: the same rows read by psql alone (the database's share).
# Usage: fusionpbx_cdrs.sh PROVISIO FUSIONPBX_SO FUSIONPBX_SIM [CALLS]
set -euo pipefail
provisio=$1 module=$2 sim=$3 calls=${4:-100000}
dir=$(mktemp -d)
sim_pid=
cleanup() { [ -z "$sim_pid" ] || { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true; }; rm -rf "$dir"; }
trap cleanup EXIT
chmod 755 "$dir"
domain_uuid=11111111-1111-4111-8111-111111111111
cat > "$dir/seed.sql" <<SQL
INSERT INTO v_domains (domain_uuid, domain_name, domain_enabled) VALUES ('$domain_uuid', 'bench.example.ca', 'true');
INSERT INTO v_xml_cdr (xml_cdr_uuid, domain_uuid, domain_name, direction, caller_id_number, caller_destination,
                       destination_number, start_epoch, answer_epoch, end_epoch, duration, billsec, hangup_cause, leg)
  SELECT md5(i::text)::uuid, '$domain_uuid', 'bench.example.ca', CASE WHEN i % 5 = 0 THEN 'inbound' ELSE 'outbound' END,
         '5192229000', CASE WHEN i % 5 = 0 THEN '5192229000' ELSE '' END, '1' || (2000000000 + (i * 7919) % 8000000000)::text,
         1795824000 + i * 5, 1795824000 + i * 5 + 3, 1795824000 + i * 5 + 3 + i % 600, 3 + i % 600, 1 + i % 600, 'NORMAL_CLEARING', 'a'
  FROM generate_series(1, $calls) AS i;
ANALYZE v_xml_cdr;
SQL
"$sim" --postgres --sql "$dir/seed.sql" > "$dir/banner" 2> "$dir/sim.err" &
sim_pid=$!
for _ in $(seq 600); do [ -s "$dir/banner" ] && break; kill -0 "$sim_pid" 2>/dev/null || { cat "$dir/sim.err"; exit 1; }; sleep 0.1; done
esl_port=$(sed -E 's/.*esl_port=([0-9]+).*/\1/' "$dir/banner")
db_port=$(sed -E 's/.*db_port=([0-9]+).*/\1/' "$dir/banner")

p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
p init >/dev/null
# INLINE=yes runs the module inside provisio instead of in runners (the comparison for containment).
[ "${INLINE:-no}" = yes ] && sed -i 's/^inline = \[\]/inline = ["fusionpbx"]/' "$dir/provisio.toml"
install -m 0755 "$module" "$dir/modules/fusionpbx.so"
printf 'Description,Prefix,RateValue,Increment\nCanada/US,1,0.012,6\nToronto,1416,0.008,6\nInbound,5192229000,0.002,60\n' > "$dir/rates.csv"
p tariff import Wholesale "$dir/rates.csv" >/dev/null
p server add --name fpbx --module fusionpbx --hostname 127.0.0.1 --port "$db_port" --username fusionpbx --password fusionpbx-demo \
  --option esl_port="$esl_port" --option db_sslmode=disable >/dev/null
p product add --name "Cloud PBX" --module fusionpbx --price 25 >/dev/null
p package set "Cloud PBX" --tariff Wholesale >/dev/null
p client add --first-name Bench --email bench@example.org >/dev/null
p service add --client 1 --product "Cloud PBX" --server fpbx --domain "bench.example.ca | 5192229000" --dedicated-ip 2112 >/dev/null
p --now 2026-11-01T00:00:00Z service create 1 >/dev/null

/usr/bin/time -f "%e s elapsed (%U s user, %S s system), %M KiB peak" -o "$dir/time" \
  "$provisio" --config "$dir/provisio.toml" cdr collect --service 1 > "$dir/out" 2>&1 || { tail -5 "$dir/out"; exit 1; }
stored=$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM cdrs")
unrated=$(sqlite3 "$dir/provisio.db" "SELECT count(*) FROM cdrs WHERE status = 'unrated'")
echo "cdr collect of $calls FusionPBX calls from PostgreSQL, rated and stored ($stored stored, $unrated unrated): $(cat "$dir/time")"
[ "$stored" -eq "$calls" ] || { echo "expected $calls stored"; tail -5 "$dir/out"; exit 1; }
/usr/bin/time -f "%e s elapsed" -o "$dir/time" env PGPASSWORD=fusionpbx-demo psql -h 127.0.0.1 -p "$db_port" -U fusionpbx -d fusionpbx -q \
  -c "COPY (SELECT xml_cdr_uuid, direction, caller_id_number, caller_destination, destination_number, start_epoch, answer_epoch,
              end_epoch, duration, billsec, hangup_cause FROM v_xml_cdr WHERE leg = 'a' AND billsec > 0 ORDER BY start_epoch, xml_cdr_uuid::text) TO STDOUT" > /dev/null
echo "  baseline, the same rows read by psql alone: $(cat "$dir/time")"
