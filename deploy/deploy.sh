#!/usr/bin/env bash
# deploy.sh (`./pulse deploy up|down|status`): the compose deployment of docker-compose.yml from a clone.
#   up [--no-build]  build the images whose inputs changed (deploy/build-images.sh), write
#                    .pulse/deploy.env with random passwords (once), start everything and wait healthy
#   down [--volumes] stop and remove the containers (--volumes: also the data: PostgreSQL, Kafka, warehouse)
#   status           docker compose ps
# Needs a Docker engine: deploy/setup-docker.sh installs and starts one (Debian, as root).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_FILE="$ROOT/.pulse/deploy.env"
compose() { docker compose -p pulse -f "$ROOT/docker-compose.yml" --env-file "$ENV_FILE" "$@"; }
secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
now_ms() { date +%s%3N; }

if ! docker info >/dev/null 2>&1; then
  echo "pulse deploy: no Docker engine is reachable; run deploy/setup-docker.sh (as root) first" >&2
  exit 2
fi
if [ ! -f "$ENV_FILE" ]; then
  mkdir -p "$(dirname "$ENV_FILE")"
  umask 077
  { for v in PULSE_ADMIN_PASSWORD PULSE_APP_PASSWORD PULSE_CATALOG_PASSWORD PULSE_OPERATOR_PASSWORD PULSE_OPERATOR_TOKEN; do
      echo "$v=$(secret)"; done; } > "$ENV_FILE"
  echo "pulse deploy: wrote $ENV_FILE (passwords and the operator token of this deployment)" >&2
fi

case "${1:-}" in
  up)
    [ "${2:-}" = "--no-build" ] || "$ROOT/deploy/build-images.sh"
    start=$(now_ms)
    compose up -d --wait --quiet-pull
    echo "pulse deploy: up in $(( ($(now_ms) - start) / 1000 )) s: ingest-api http://127.0.0.1:18080 and :18082, lake-query http://127.0.0.1:18081" >&2
    echo "pulse deploy: operator token in $ENV_FILE (PULSE_OPERATOR_TOKEN)" >&2
    ;;
  down)
    if [ "${2:-}" = "--volumes" ]; then compose down --volumes; else compose down; fi
    ;;
  status) compose ps ;;
  *) echo "usage: pulse deploy up [--no-build] | down [--volumes] | status" >&2; exit 2 ;;
esac
