#!/usr/bin/env bash
# Several `ocop` processes writing to one PostgreSQL store at once, as producers' offices
# do: each process is one `ocop batch issue` command (start, connect, one signed batch,
# exit). Runs COUNT commands one after another, then COUNT commands in each of 4 processes
# at once, on a private cluster (scripts/postgres-cluster.sh) holding the An Giang data set,
# and prints commands per second for each and their ratio. Every batch must be issued: a
# refused command fails the run, and the store's audit must pass at the end.
#
#   bash Benchmarks/scripts/postgres-writers.sh [COUNT]
#
# `trace-benchmark postgres` measures writers inside one process instead, appending back to
# back; `postgres-floor.sh` what the chain's lock allows any client.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-40}
WRITERS=4
swift build -c release --product ocop >/dev/null
OCOP="$(swift build -c release --show-bin-path)/ocop"
WORK=$(mktemp -d /tmp/ocop-postgres-writers.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  [[ -d $WORK/pg ]] && bash scripts/postgres-cluster.sh stop "$WORK/pg" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

bash scripts/postgres-cluster.sh start "$WORK/pg" >/dev/null
PORT=$(cat "$WORK/pg/primary.port")
export PGPASSWORD
PGPASSWORD=$(cat "$WORK/pg/password")
export OCOP_STORE="postgres://ocop@127.0.0.1:$PORT/postgres?sslmode=disable"
export OCOP_CONFIG="$WORK/ocop.json"
"$OCOP" init --resolver https://truyxuat.angiang.example --prefix 8932301 >/dev/null
"$OCOP" import all Fixtures/an-giang >/dev/null

# COUNT batches of the palm sugar, lots NAME-1 … NAME-COUNT, one command each.
issue() {
  for i in $(seq "$COUNT"); do
    "$OCOP" batch issue --gtin 8932301001016 --lot "$1-$i" --produced 2026-11-02 \
      --expires 2027-11-01 --quantity 10 --unit KGM --area "Vườn thốt nốt ấp Tà Lọt" \
      --commune "Xã Lê Trì" --province "Tỉnh An Giang" >/dev/null
  done
}
now() { date +%s.%N; }

start=$(now)
issue ONE
one=$(python3 -c "print($(now) - $start)")
start=$(now)
pids=()
for w in $(seq "$WRITERS"); do
  issue "W$w" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
many=$(python3 -c "print($(now) - $start)")
"$OCOP" audit >/dev/null

echo "ocop processes writing to one PostgreSQL store at once: batch issue, a command each, $(nproc) cores"
printf '%-28s %6d commands %8.2f s %8.1f/s\n' "1 process" "$COUNT" "$one" \
  "$(python3 -c "print($COUNT / $one)")"
printf '%-28s %6d commands %8.2f s %8.1f/s  %.2fx one process\n' "$WRITERS processes at once" \
  "$((COUNT * WRITERS))" "$many" "$(python3 -c "print($COUNT * $WRITERS / $many)")" \
  "$(python3 -c "print(($COUNT * $WRITERS / $many) / ($COUNT / $one))")"
