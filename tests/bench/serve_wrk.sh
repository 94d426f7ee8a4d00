#!/usr/bin/env bash
# provisio serve under load, measured with wrk (Debian's) on loopback: 64 connections, two wrk
# threads, server and load generator sharing the machine's cores. For each page — an
# authenticated GET /api/v1/clients/{id} and the client area's dashboard — the same run serves a
# static file of the same size from nginx, the baseline (what a reverse proxy costs at best).
# Then the same two pages while `provisio cdr import` stores 1,000,000 calls in the same
# database (readers must not wait for the writer), and serve's RSS across REQUESTS requests.
# Usage: serve_wrk.sh PROVISIO BENCH_RATING [SECONDS] [REQUESTS]
#   SECONDS  each wrk run (default 10); REQUESTS  for the RSS check (default 1000000; 0 skips it)
set -euo pipefail
provisio=$1 bench=$2 seconds=${3:-10} requests=${4:-1000000}
for tool in wrk nginx python3; do
  command -v "$tool" > /dev/null || [ -x "/usr/sbin/$tool" ] || { echo "$tool is missing: run scripts/setup" >&2; exit 2; }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
dir=$(mktemp -d)
chmod 700 "$dir"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
p() { "$provisio" --config "$dir/provisio.toml" "$@"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# An installation with a client, a service, an unpaid invoice and a VoIP service to import into.
p init > /dev/null
p client add --first-name Ada --last-name Lovelace --email ada@example.org > /dev/null
echo "correct horse battery" | p client password set 1 > /dev/null
p product add --name "Hosted PBX" --price 24.50 > /dev/null
p service add --client 1 --product "Hosted PBX" --domain pbx.example.org --next-due 2026-06-01 > /dev/null
p service create 1 > /dev/null
p --now 2026-05-28T12:00:00Z invoice generate > /dev/null
# Two days of 1,000,000 calls each (other calls, other ids): one imported under each page's load.
"$bench" gen "$dir/rates.csv" "$dir/day0.csv" 50000 1000000 0 1 desc > /dev/null
"$bench" gen "$dir/rates.csv" "$dir/day1.csv" 50000 1000000 1 1 desc > /dev/null
p tariff import Bench "$dir/rates.csv" > /dev/null
p product add --name Metered --price 10 > /dev/null
p package set Metered --tariff Bench > /dev/null
p service add --client 1 --product Metered --domain "pbx.example.ca | 5192229000" --next-due 2027-05-01 > /dev/null
p service create 2 > /dev/null
secret=$(p --json api-key add --name bench --role read-only | sed -n 's/.*"secret": *"\([^"]*\)".*/\1/p')

port=$(free_port)
# The program itself, not the function: $! must be the server, whose memory is read below.
"$provisio" --config "$dir/provisio.toml" serve --listen "127.0.0.1:$port" > "$dir/serve.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 100); do grep -q '^provisio serving on ' "$dir/serve.log" && break; sleep 0.05; done
base="http://127.0.0.1:$port"

# A client-area session, as a browser gets one: the operator's login link.
link=$(p --json client login-link 1 | sed -n 's/.*"url": *"\([^"]*\)".*/\1/p')
link="$base/login/link?token=${link##*token=}"
session=$(python3 - "$link" <<'EOF'
import sys, urllib.request, urllib.error
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
try:
    urllib.request.build_opener(NoRedirect).open(sys.argv[1])
except urllib.error.HTTPError as e:
    for c in e.headers.get_all("Set-Cookie") or []:
        if c.startswith("provisio_session="): print(c.split(";")[0])
EOF
)
[ -n "$session" ] || { echo "no client-area session from the login link" >&2; exit 1; }
fetch() { python3 -c 'import sys, urllib.request; r = urllib.request.Request(sys.argv[1], headers=dict(h.split(": ", 1) for h in sys.argv[2:])); sys.stdout.buffer.write(urllib.request.urlopen(r).read())' "$@"; }

# The baseline: nginx serving files of the same sizes, from a directory its workers (not root)
# can read: the installation's own is private.
www=$(mktemp -d)
chmod 755 "$www"
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir" "$www"' EXIT
mkdir -p "$dir/nginx"
fetch "$base/api/v1/clients/1" "Authorization: Bearer $secret" > "$www/client.json"
fetch "$base/" "Cookie: $session" > "$www/dashboard.html"
grep -q 'id="due"' "$www/dashboard.html" || { echo "the session did not open the dashboard" >&2; exit 1; }
chmod 644 "$www"/*
nginx_port=$(free_port)
cat > "$dir/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/nginx/body; proxy_temp_path $dir/nginx/proxy; fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi; scgi_temp_path $dir/nginx/scgi;
  server { listen 127.0.0.1:$nginx_port; root $www; }
}
EOF
"$nginx_bin" -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -g 'daemon off;' &
pids+=("$!")
sleep 0.5

# run NAME URL [HEADER]: wrk's requests/s and p99, one line. WRK_SECONDS overrides SECONDS.
run() {
  local name=$1 url=$2 header=${3:-}
  local args=(-t2 -c64 -d"${WRK_SECONDS:-$seconds}s" --latency)
  [ -n "$header" ] && args+=(-H "$header")
  wrk "${args[@]}" "$url" > "$dir/wrk.out"
  local rps p99 errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$dir/wrk.out")
  p99=$(awk '$1 == "99%" { print $2 }' "$dir/wrk.out")
  errors=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$dir/wrk.out")
  printf '%-52s %10s req/s  p99 %8s%s\n' "$name" "$rps" "$p99" "${errors:+  ($errors non-2xx)}"
  echo "$rps" > "$dir/last.rps"
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

echo "wrk -t2 -c64 -d${seconds}s on $(nproc) cores, server and wrk together; load $(cut -d' ' -f1-3 /proc/loadavg)"
run "GET /api/v1/clients/1 (read-only key)" "$base/api/v1/clients/1" "Authorization: Bearer $secret"; api=$(cat "$dir/last.rps")
run "  nginx, a static file of its size ($(stat -c %s "$www/client.json") B)" "http://127.0.0.1:$nginx_port/client.json"; echo "  provisio / nginx: $(ratio "$api" "$(cat "$dir/last.rps")")"
run "GET / (client-area dashboard, signed in)" "$base/" "Cookie: $session"; dash=$(cat "$dir/last.rps")
run "  nginx, a static file of its size ($(stat -c %s "$www/dashboard.html") B)" "http://127.0.0.1:$nginx_port/dashboard.html"; echo "  provisio / nginx: $(ratio "$dash" "$(cat "$dir/last.rps")")"

# The same while 1,000,000 calls are imported into the same database: wrk starts half a second
# into the import and stops before it ends (an import takes 6-10 s here).
day=0
for page in api dashboard; do
  p cdr import --service 2 "$dir/day$day.csv" > "$dir/import.out" 2>&1 &
  import_pid=$!
  day=$((day + 1))
  sleep 0.5
  if [ "$page" = api ]; then WRK_SECONDS=4 run "GET /api/v1/clients/1 during a 1,000,000-call import" "$base/api/v1/clients/1" "Authorization: Bearer $secret"
  else WRK_SECONDS=4 run "GET / during a 1,000,000-call import" "$base/" "Cookie: $session"; fi
  if kill -0 "$import_pid" 2>/dev/null; then echo "  (the import was still running when wrk finished)"; else echo "  (the import ended before wrk did: shorten SECONDS)"; fi
  wait "$import_pid" || [ $? -eq 1 ]  # 1: some calls unrated, as the data has
  head -n 1 "$dir/import.out" | sed 's/^/  import: /'
done

# RSS across many requests: flat means nothing grows per request.
if [ "$requests" -gt 0 ]; then
  rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$serve_pid/status"; }
  before=$(rss)
  wrk -t2 -c64 -d600s -H "Authorization: Bearer $secret" "$base/api/v1/clients/1" > /dev/null &
  wrk_pid=$!
  start=$(date +%s)
  done_requests() { python3 - "$base" "$secret" <<'EOF'
import re, sys, urllib.request
r = urllib.request.Request(sys.argv[1] + "/metrics", headers={"Authorization": "Bearer " + sys.argv[2]})
body = urllib.request.urlopen(r).read().decode()
print(sum(int(m) for m in re.findall(r'provisio_http_requests_total\{[^}]*route="/api/v1/clients/\{id\}"[^}]*\} (\d+)', body)))
EOF
  }
  base_count=$(done_requests)
  mid=""
  while :; do
    sleep 5
    n=$(( $(done_requests) - base_count ))
    [ -z "$mid" ] && [ "$n" -ge $((requests / 10)) ] && mid=$(rss)
    [ "$n" -ge "$requests" ] && break
    [ $(( $(date +%s) - start )) -gt 590 ] && { echo "  (stopped at $n requests: 600 s)"; break; }
  done
  kill "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  echo "serve RSS: $before KiB before, ${mid:-?} KiB after $((requests / 10)) requests, $(rss) KiB after $n"
fi
