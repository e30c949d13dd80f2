#!/bin/sh
# PGBOUNCER_PORT, PGBOUNCER_POOL_SIZE, POSTGRES_HOST/PORT/DB, and PULSE_<ROLE>_PASSWORD for the
# roles that connect through it (pulse_app, pulse_catalog, pulse_operator).
set -eu
DIR=/var/lib/pgbouncer
umask 077
{
  printf '"pulse_app" "%s"\n' "$PULSE_APP_PASSWORD"
  printf '"pulse_catalog" "%s"\n' "$PULSE_CATALOG_PASSWORD"
  printf '"pulse_operator" "%s"\n' "$PULSE_OPERATOR_PASSWORD"
} > "$DIR/userlist.txt"
cat > "$DIR/pgbouncer.ini" <<INI
[databases]
${POSTGRES_DB} = host=${POSTGRES_HOST:-127.0.0.1} port=${POSTGRES_PORT:-5432} dbname=${POSTGRES_DB}
; The same database on ONE server connection: the system tests interleave two tenants' transactions on it.
${POSTGRES_DB}_pool1 = host=${POSTGRES_HOST:-127.0.0.1} port=${POSTGRES_PORT:-5432} dbname=${POSTGRES_DB} pool_size=1

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${PGBOUNCER_PORT:-6432}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $DIR/userlist.txt
; Transaction pooling: a server connection is a client's only for one transaction. Pulse binds
; the tenant with set_config('pulse.tenant_id', ..., true), which lasts exactly that transaction.
pool_mode = transaction
default_pool_size = ${PGBOUNCER_POOL_SIZE:-20}
max_client_conn = 1000
; pgjdbc's named prepared statements, tracked per server connection by PgBouncer (1.21+).
max_prepared_statements = 200
; pgjdbc sends extra_float_digits at start; currentSchema (the catalog's URL) arrives as search_path.
ignore_startup_parameters = extra_float_digits
track_extra_parameters = IntervalStyle, search_path
server_reset_query =
logfile =
log_connections = 0
log_disconnections = 0
INI
exec pgbouncer "$DIR/pgbouncer.ini"
