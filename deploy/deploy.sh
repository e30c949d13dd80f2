#!/usr/bin/env bash
# deploy.sh (`./pulse deploy up|down|status`): the compose deployment of docker-compose.yml from a clone.
#   up [--s3] [--no-build]  build the images whose inputs changed (deploy/build-images.sh), write
#                    .pulse/deploy.env with random passwords (once), start everything and wait healthy;
#                    --s3: the warehouse in S3Proxy instead of a shared volume (docker-compose.s3.yml)
#   down [--volumes] stop and remove the containers (--volumes: also the data: PostgreSQL, Kafka, warehouse);
#                    an S3 deployment is recognised by its s3 container (or pass --s3)
#   status           docker compose ps
# Needs a Docker engine: deploy/setup-docker.sh installs and starts one (Debian, as root).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_FILE="$ROOT/.pulse/deploy.env"
FILES=(-f "$ROOT/docker-compose.yml")
compose() { docker compose -p pulse "${FILES[@]}" --env-file "$ENV_FILE" "$@"; }
secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
now_ms() { date +%s%3N; }

if ! docker info >/dev/null 2>&1; then
  echo "pulse deploy: no Docker engine is reachable; run deploy/setup-docker.sh (as root) first" >&2
  exit 2
fi
# Each secret once; one an older file lacks (the S3 key came later) is appended. umask 077 only
# here (a subshell): build-images.sh must not inherit it, or its build contexts become unreadable.
mkdir -p "$(dirname "$ENV_FILE")"
written=""
for v in PULSE_ADMIN_PASSWORD PULSE_APP_PASSWORD PULSE_CATALOG_PASSWORD PULSE_OPERATOR_PASSWORD PULSE_OPERATOR_TOKEN \
    PULSE_S3_SECRET_ACCESS_KEY; do
  if ! grep -q "^$v=" "$ENV_FILE" 2>/dev/null; then
    (umask 077; echo "$v=$(secret)" >> "$ENV_FILE")
    written="$written $v"
  fi
done
[ -z "$written" ] || echo "pulse deploy: wrote$written to $ENV_FILE (the secrets of this deployment)" >&2

cmd="${1:-}"; [ $# -eq 0 ] || shift
S3=0 NO_BUILD=0 VOLUMES=0
for arg in "$@"; do
  case "$arg" in
    --s3) S3=1 ;;
    --no-build) NO_BUILD=1 ;;
    --volumes) VOLUMES=1 ;;
    *) cmd=usage ;;
  esac
done
# down and status find an S3 deployment by its container, so that they need no --s3.
if [ "$cmd" != up ] && [ -n "$(docker ps -aq --filter label=com.docker.compose.project=pulse \
    --filter label=com.docker.compose.service=s3 2>/dev/null)" ]; then S3=1; fi
[ "$S3" = 0 ] || FILES+=(-f "$ROOT/docker-compose.s3.yml")

case "$cmd" in
  up)
    [ "$NO_BUILD" = 1 ] || "$ROOT/deploy/build-images.sh"
    start=$(now_ms)
    compose up -d --wait --quiet-pull
    echo "pulse deploy: up in $(( ($(now_ms) - start) / 1000 )) s: ingest-api http://127.0.0.1:18080 and :18082, lake-query http://127.0.0.1:18081" >&2
    [ "$S3" = 0 ] || echo "pulse deploy: warehouse s3://pulse-warehouse/warehouse on S3Proxy http://127.0.0.1:19900 (key pulse / PULSE_S3_SECRET_ACCESS_KEY)" >&2
    echo "pulse deploy: operator token in $ENV_FILE (PULSE_OPERATOR_TOKEN)" >&2
    ;;
  down)
    if [ "$VOLUMES" = 1 ]; then compose down --volumes; else compose down; fi
    ;;
  status) compose ps ;;
  *) echo "usage: pulse deploy up [--s3] [--no-build] | down [--s3] [--volumes] | status [--s3]" >&2; exit 2 ;;
esac
