#!/usr/bin/env bash
# `provisio module list` as a whole process over 50 modules, against `provisio --version`
# (process start-up alone) in the same run. Usage: module_list.sh PROVISIO NOOP_SO [RUNS]
set -euo pipefail
provisio=$1 noop=$2 runs=${3:-50}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"
mkdir -m 755 "$dir/modules"
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
list=$(time_runs "$provisio" --modules-dir "$dir/modules" module list)
count=$("$provisio" --modules-dir "$dir/modules" --json module list | grep -c '"status": "loaded"')
[ "$count" -eq 50 ] || { echo "expected 50 loaded modules, got $count"; exit 1; }
base=$(time_runs "$provisio" --version)
echo "provisio module list (50 modules): median ${list} ms over $runs runs   (baseline provisio --version: ${base} ms)"
