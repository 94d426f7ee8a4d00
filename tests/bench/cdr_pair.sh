#!/usr/bin/env bash
# The CDR import and its baselines as single commands, for a paired timer (farm-bench runs A and
# B in turn and takes the ratio pair by pair). Each run starts from the same state.
#   cdr_pair.sh seed PROVISIO DIR RATES.csv        an installation in DIR/seed: tariff, package, one service
#   cdr_pair.sh provisio PROVISIO DIR CDRS.csv     a fresh copy of DIR/seed imports CDRS.csv (the measured command)
#   cdr_pair.sh sqlite-import DIR CDRS.csv         sqlite3 .import --csv into a plain table of a fresh file
#   cdr_pair.sh operator-sql DIR RATES.csv CDRS.csv  the SQL an operator would write (operator_rating.sql), fresh file
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case $1 in
seed)
  provisio=$2 dir=$3 rates=$4
  rm -rf "$dir/seed"; mkdir -p "$dir/seed"; chmod 700 "$dir" "$dir/seed"
  p() { "$provisio" --config "$dir/seed/provisio.toml" "$@"; }
  p init >/dev/null
  p tariff import Bench "$rates" >/dev/null
  p product add --name Metered --price 10 >/dev/null
  p package set Metered --tariff Bench --free-minutes 100 >/dev/null
  p client add --first-name Bench --email bench@example.org >/dev/null
  p service add --client 1 --product Metered --domain "pbx.example.ca | 5192229000" --next-due 2027-05-01 >/dev/null
  p service create 1 >/dev/null
  ;;
provisio)
  provisio=$2 dir=$3 cdrs=$4
  rm -rf "$dir/run"; cp -a "$dir/seed" "$dir/run"
  # Exit 1 only says some calls were left unrated (the data has a share of them).
  "$provisio" --config "$dir/run/provisio.toml" cdr import --service 1 "$cdrs" > "$dir/run.out" 2>&1 || [ $? -eq 1 ]
  ;;
sqlite-import)
  dir=$2 cdrs=$3
  rm -f "$dir/plain.db"; exec sqlite3 "$dir/plain.db" ".import --csv $cdrs cdrs"
  ;;
operator-sql)
  dir=$2 rates=$3 cdrs=$4
  rm -f "$dir/operator.db"
  exec sqlite3 "$dir/operator.db" ".import --csv $rates card" ".import --csv $cdrs export" ".read $here/operator_rating.sql"
  ;;
*) echo "usage: see the head of $0" >&2; exit 2 ;;
esac
