#!/usr/bin/env bash
# `provisio module list` as a whole process over 50 modules, against `provisio --version`
# (process start-up alone) in the same run: cold (no cached descriptions: 50 runners load the
# modules side by side) and warm (the descriptions cached by file identity: no runner starts).
# Also `provisio cron` with nothing due, warm. Usage: module_list.sh PROVISIO NOOP_SO [RUNS]
set -euo pipefail
provisio=$1 noop=$2 runs=${3:-50}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
p init >/dev/null
for i in $(seq -w 0 49); do install -m 0755 "$noop" "$dir/modules/noop_$i.so"; done

time_runs() {  # prints the median wall time in ms of `runs` runs of "$@"
  local t=()
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
    t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}
cold() { rm -f "$dir/provisio.db.modules"; p module list; }
cold_ms=$(time_runs cold)
count=$(p --json module list | grep -c '"status": "loaded"')
[ "$count" -eq 50 ] || { echo "expected 50 loaded modules, got $count"; exit 1; }
warm_ms=$(time_runs p module list)
cron_ms=$(time_runs p cron --quiet)
base=$(time_runs "$provisio" --version)
echo "provisio module list (50 modules): cold median ${cold_ms} ms, warm median ${warm_ms} ms over $runs runs   (baseline provisio --version: ${base} ms)"
echo "provisio cron with nothing due (50 modules installed), warm: median ${cron_ms} ms"
