#!/usr/bin/env bash
# The resolver under load: `ocop serve` on loopback with the An Giang data set, driven by
# wrk for a fixed time against its JSON and HTML answers for a lot and for serialised codes
# (whose scans are counted: one signed code scanned again and again, and 1,000 codes of an
# unsigned print run in turn), and, in the same run, nginx serving a static file of the
# JSON answer's size. Prints one table: requests per second, p50 and p99 latency, errors,
# and the ratio to nginx; and the serialised codes' rate against the lot's.
#
#   bash Benchmarks/scripts/resolver-benchmark.sh [SECONDS] [CONNECTIONS]
#
# With OCOP_BENCH_POSTGRES=1 it also starts a PostgreSQL primary and a streaming standby
# (scripts/postgres-cluster.sh), moves the same store onto the primary with `ocop migrate`,
# and measures `ocop serve` answering from the standby.
#
# Installs wrk and nginx-light from Debian if they are missing (as root or through sudo).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-15}
CONNECTIONS=${2:-64}
THREADS=$(nproc)

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
if ((${#need[@]})); then
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

swift build -c release --product ocop >/dev/null
OCOP="$(swift build -c release --show-bin-path)/ocop"
WORK=$(mktemp -d /tmp/ocop-resolver-bench.XXXXXX)
chmod 755 "$WORK"  # nginx's workers read the static file as another user
cleanup() {
  [[ -n ${SERVER:-} ]] && kill -TERM "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  [[ -n ${PG_SERVER:-} ]] && kill -TERM "$PG_SERVER" 2>/dev/null && wait "$PG_SERVER" 2>/dev/null
  [[ -f $WORK/nginx.pid ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  [[ -d $WORK/pg ]] && bash scripts/postgres-cluster.sh stop "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT

export OCOP_STORE="$WORK/angiang.sqlite"
"$OCOP" init --resolver https://truyxuat.angiang.example --prefix 8932301 >/dev/null
"$OCOP" import all Fixtures/an-giang >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
# Serialised codes: one signed label, and an unsigned run of 1,000.
url_of() { python3 -c 'import json, sys; print(json.load(sys.stdin)["firstURL"].split("/", 3)[3])'; }
SIGNED_PATH=/$("$OCOP" print 8932301001016/DTNQ-2609-01 --count 1 --format svg --no-read-back \
  --out "$WORK/signed" --json | url_of)
FIRST_SERIAL=$("$OCOP" print 8932301001016/DTNQ-2609-01 --count 1000 --unsigned --format svg \
  --no-read-back --out "$WORK/unsigned" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["first"])')
"$OCOP" serve --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

if [[ ${OCOP_BENCH_POSTGRES:-} == 1 ]]; then
  bash scripts/postgres-cluster.sh start "$WORK/pg" --standby >/dev/null
  export PGPASSWORD=$(cat "$WORK/pg/password")
  PRIMARY_PORT=$(cat "$WORK/pg/primary.port")
  STANDBY_PORT=$(cat "$WORK/pg/standby.port")
  psql -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U ocop -d postgres -c "CREATE DATABASE angiang"
  "$OCOP" migrate --from "$OCOP_STORE" --to "postgres://ocop@127.0.0.1:$PRIMARY_PORT/angiang?sslmode=disable" >/dev/null
  LSN=$(psql -At -h 127.0.0.1 -p "$PRIMARY_PORT" -U ocop -d postgres -c "SELECT pg_current_wal_lsn()")
  for _ in $(seq 100); do
    [[ $(psql -At -h 127.0.0.1 -p "$STANDBY_PORT" -U ocop -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$LSN'") == t ]] && break
    sleep 0.1
  done
  PG_PORT=$(free_port)
  "$OCOP" serve --port "$PG_PORT" --no-scan-log --config "$WORK/angiang.json" \
    --store "postgres://ocop@127.0.0.1:$STANDBY_PORT/angiang?sslmode=disable" >"$WORK/serve-pg.log" 2>&1 &
  PG_SERVER=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PG_PORT/healthz" >/dev/null && break; sleep 0.1; done
fi

LOT_PATH="/01/08932301001016/10/DTNQ-2609-01"
curl -sf -H 'Accept: application/json' "http://127.0.0.1:$PORT$LOT_PATH" >"$WORK/record.json"
SIZE=$(wc -c <"$WORK/record.json")
mkdir -p "$WORK/www"
cp "$WORK/record.json" "$WORK/www/record.json"

NGINX_PORT=$(free_port)
cat >"$WORK/nginx.conf" <<CONF
worker_processes $THREADS;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  default_type application/json;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
  }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/record.json" >/dev/null && break; sleep 0.1; done

# wrk with a script that counts answers other than 200 as errors.
cat >"$WORK/count.lua" <<'LUA'
local bad = 0
response = function(status, headers, body) if status ~= 200 then bad = bad + 1 end end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %.0f %.0f\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, bad, latency:percentile(50), latency:percentile(99)))
end
LUA

# wrk opening each of the 1,000 serialised codes' pages in turn as a phone's browser (a
# scan the resolver counts, within its allowance for one client), counting as count.lua does.
cat "$WORK/count.lua" >"$WORK/serials.lua"
cat >>"$WORK/serials.lua" <<LUA
local next_serial = 0
request = function()
  local serial = $FIRST_SERIAL + next_serial % 1000
  next_serial = next_serial + 1
  return wrk.format("GET", "/01/08932301001016/10/DTNQ-2609-01/21/" .. serial .. "?17=270909",
    {["Accept"] = "text/html",
     ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36"})
end
LUA

run() { # name url [header] [script]
  local name=$1 url=$2 header=${3:-} script=${4:-$WORK/count.lua}
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$script")
  [[ -n $header ]] && args+=(-H "$header")
  wrk "${args[@]}" "$url" | awk -v name="$name" -v d="$DURATION" '/^RESULT/ {print name, $2/d, $3+$4, $6/1000, $7/1000}'
}

echo "resolver benchmark: wrk, $THREADS threads, $CONNECTIONS connections, ${DURATION} s each, $(nproc) cores"
echo "JSON answer and static file: $SIZE bytes"
NGINX_LINE=$(run "nginx static file ($SIZE B)" "http://127.0.0.1:$NGINX_PORT/record.json")
JSON_LINE=$(run "ocop serve, JSON" "http://127.0.0.1:$PORT$LOT_PATH" "Accept: application/json")
HTML_LINE=$(run "ocop serve, HTML page" "http://127.0.0.1:$PORT$LOT_PATH" "Accept: text/html")
SIGNED_LINE=$(run "serial, signed: JSON" "http://127.0.0.1:$PORT$SIGNED_PATH" "Accept: application/json")
SIGNED_HTML_LINE=$(run "serial, signed: HTML" "http://127.0.0.1:$PORT$SIGNED_PATH" "Accept: text/html")
SERIALS_LINE=$(run "1000 serials: pages" "http://127.0.0.1:$PORT" "" "$WORK/serials.lua")
PG_LINES=()
if [[ -n ${PG_SERVER:-} ]]; then
  cmp -s "$WORK/record.json" <(curl -sf -H 'Accept: application/json' "http://127.0.0.1:$PG_PORT$LOT_PATH") \
    || echo "warning: the standby's JSON answer differs from SQLite's" >&2
  PG_LINES+=("$(run "standby: JSON" "http://127.0.0.1:$PG_PORT$LOT_PATH" "Accept: application/json")")
  PG_LINES+=("$(run "standby: HTML page" "http://127.0.0.1:$PG_PORT$LOT_PATH" "Accept: text/html")")
fi
NGINX_RATE=$(awk '{print $(NF-3)}' <<<"$NGINX_LINE")
printf '%s\n' "--------------------------------------------------------------------------------------------"
printf '%-28s %12s %10s %10s %8s %10s\n' "endpoint" "requests/s" "p50 ms" "p99 ms" "errors" "vs nginx"
for line in "$NGINX_LINE" "$JSON_LINE" "$HTML_LINE" "$SIGNED_LINE" "$SIGNED_HTML_LINE" \
  "$SERIALS_LINE" "${PG_LINES[@]}"; do
  awk -v ref="$NGINX_RATE" '{
    n = NF; name = $1; for (i = 2; i <= n - 4; i++) name = name " " $i;
    printf "%-28s %12.0f %10.2f %10.2f %8d %9.2fx\n", name, $(n-3), $(n-1), $n, $(n-2), $(n-3) / ref }' <<<"$line"
done
printf '%s\n' "--------------------------------------------------------------------------------------------"
JSON_RATE=$(awk '{print $(NF-3)}' <<<"$JSON_LINE")
for line in "$SIGNED_LINE" "$SERIALS_LINE"; do
  awk -v lot="$JSON_RATE" '{ n = NF; name = $1; for (i = 2; i <= n - 4; i++) name = name " " $i;
    printf "%-28s %.2fx the lot URL'"'"'s JSON rate\n", name, $(n-3) / lot }' <<<"$line"
done
echo "scans counted meanwhile: $(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM scans").fetchone()[0])' "$WORK/angiang.scans.sqlite")"
echo "target: zero errors, the JSON endpoint at least 0.50x nginx's rate (0.40x from a PostgreSQL standby), serialised codes at least 0.50x the lot URL's rate"
