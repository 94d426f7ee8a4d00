#!/usr/bin/env bash
# The systemd units in packaging/ as systemd reads them (systemd-analyze verify), with the
# program's path pointed at the one just built (verify checks that ExecStart exists).
# Usage: packaging_units.sh SOURCE_DIR PROVISIO
set -euo pipefail
src=$1 provisio=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for unit in provisio-serve.service provisio-cron.service provisio-cron.timer; do
  sed "s#/usr/bin/provisio#$provisio#" "$src/packaging/$unit" > "$dir/$unit"
done
systemd-analyze verify --man=no "$dir"/provisio-serve.service "$dir"/provisio-cron.service "$dir"/provisio-cron.timer
grep -q '^ExecStart=.* serve$' "$dir/provisio-serve.service"
grep -q '^ExecStart=.* cron$' "$dir/provisio-cron.service"
echo "packaging units verify"
