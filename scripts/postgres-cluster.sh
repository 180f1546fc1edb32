#!/usr/bin/env bash
# A private PostgreSQL cluster on loopback for trying the server store, and for the
# benchmarks: a primary and, with --standby, a streaming hot standby (pg_basebackup -R).
# The server refuses to run as root; run as root, its programs run as the postgres user.
#
#   bash scripts/postgres-cluster.sh start DIR [--standby]   prints the addresses
#   bash scripts/postgres-cluster.sh stop DIR
#
# The superuser is `ocop`; its password is in DIR/password (export PGPASSWORD from it).
# Each server listens on 127.0.0.1 only; DIR/primary.port and DIR/standby.port hold the
# ports. Uses Debian's postgresql package (scripts/debian-packages.txt).
set -euo pipefail
command=${1:-}
dir=${2:-}
[[ -n $command && -n $dir ]] || { echo "usage: $0 start|stop DIR [--standby]" >&2; exit 64; }
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $bin/initdb ]] || { echo "PostgreSQL's server programs were not found; install Debian's postgresql package" >&2; exit 1; }
as_server() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

case $command in
  start)
    [[ ! -e $dir ]] || { echo "$dir already exists" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # The server's files need a folder the postgres user can reach.
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir/password"
    cd /tmp
    as_server "$bin/initdb" -D "$dir/primary" -U ocop --pwfile="$dir/password" \
      --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --no-locale --no-instructions >/dev/null
    port=$(free_port)
    as_server "$bin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w start \
      -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200" >/dev/null
    echo "$port" >"$dir/primary.port"
    echo "primary  postgres://ocop@127.0.0.1:$port/postgres?sslmode=disable"
    if [[ ${3:-} == --standby ]]; then
      as_server env PGPASSWORD="$(cat "$dir/password")" "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" \
        -U ocop -D "$dir/standby" -R -X stream -c fast
      sport=$(free_port)
      as_server "$bin/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w start \
        -o "-c port=$sport -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200 -c hot_standby=on" >/dev/null
      echo "$sport" >"$dir/standby.port"
      echo "standby  postgres://ocop@127.0.0.1:$sport/postgres?sslmode=disable"
    fi
    echo "password $dir/password (export PGPASSWORD=\$(cat $dir/password))"
    ;;
  stop)
    cd /tmp
    for part in standby primary; do
      [[ -d $dir/$part ]] && as_server "$bin/pg_ctl" -D "$dir/$part" -m fast -w stop >/dev/null || true
    done
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR [--standby]" >&2; exit 64 ;;
esac
