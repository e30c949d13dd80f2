#!/bin/sh
set -eu
BIN=/usr/lib/postgresql/17/bin
DATA=/var/lib/pulse-postgres/data
if [ ! -f "$DATA/PG_VERSION" ]; then
  pwfile=$(mktemp); printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  "$BIN/initdb" -D "$DATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  "$BIN/pg_ctl" -D "$DATA" -o "-c listen_addresses= -c unix_socket_directories=/var/run/postgresql" -w start >/dev/null
  PGPASSWORD="$POSTGRES_PASSWORD" "$BIN/psql" -h /var/run/postgresql -U "$POSTGRES_USER" -d postgres -q \
    -c "CREATE DATABASE \"$POSTGRES_DB\""
  "$BIN/pg_ctl" -D "$DATA" -w stop >/dev/null
fi
exec "$BIN/postgres" -D "$DATA" -c listen_addresses=127.0.0.1 -c port="${PGPORT:-5432}" \
  -c unix_socket_directories=/var/run/postgresql -c max_connections="${PG_MAX_CONNECTIONS:-200}" \
  -c shared_buffers=128MB -c password_encryption=scram-sha-256
