#!/usr/bin/env bash
# What PostgreSQL itself allows a chain of signed events on this machine: the smallest
# transaction shaped like one append (take the chain's lock, read the head, insert one
# event row of a signed event's size, commit with the default fsync), run by pgbench (the
# server's own C client, libpq) with 1 and then 4 clients, on a private cluster
# (scripts/postgres-cluster.sh). Prints transactions per second for each, and their ratio.
#
#   bash Benchmarks/scripts/postgres-floor.sh [SECONDS]
#
# Its 4 clients show what one chain's lock, held until the commit is on disk, leaves to
# writers that append back to back; `trace-benchmark postgres` does more in each
# transaction (derived rows, a signature) in two round trips.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/ocop-postgres-floor.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  [[ -d $WORK/pg ]] && bash scripts/postgres-cluster.sh stop "$WORK/pg" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
as_server() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

bash scripts/postgres-cluster.sh start "$WORK/pg" >/dev/null
PORT=$(cat "$WORK/pg/primary.port")
PASSWORD=$(cat "$WORK/pg/password")
as_server env PGPASSWORD="$PASSWORD" "$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U ocop -d postgres \
  -c "CREATE TABLE chain (seq bigserial PRIMARY KEY, body bytea NOT NULL, signature bytea NOT NULL, hash bytea NOT NULL)"
cat >"$WORK/append.sql" <<'EOF'
BEGIN;
SELECT pg_advisory_xact_lock(1);
SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1;
INSERT INTO chain (body, signature, hash) VALUES (convert_to(repeat('x', 400), 'UTF8'), convert_to(repeat('s', 64), 'UTF8'), convert_to(repeat('h', 32), 'UTF8'));
COMMIT;
EOF
chmod 644 "$WORK/append.sql"

tps() {
  as_server env PGPASSWORD="$PASSWORD" "$BIN/pgbench" -h 127.0.0.1 -p "$PORT" -U ocop -n \
    -c "$1" -j "$1" -T "$DURATION" -f "$WORK/append.sql" postgres 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
ONE=$(tps 1)
FOUR=$(tps 4)
echo "PostgreSQL's floor for one append a transaction: pgbench, $DURATION s each, $(nproc) cores"
printf '%-44s %10.0f/s\n' "1 client" "$ONE"
printf '%-44s %10.0f/s  %.2fx one client\n' "4 clients (one chain lock)" "$FOUR" \
  "$(python3 -c "print($FOUR / $ONE)")"
