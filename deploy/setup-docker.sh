#!/usr/bin/env bash
# setup-docker.sh: installs and starts a Docker engine from Debian's packages, idempotently.
#
# Why this way: the development and CI machines (Debian 12) reach Debian's package mirror but no
# image registry, and nothing starts a Docker engine for us. So: docker.io and debootstrap from
# bookworm; the Compose v2 plugin from Debian 13's docker-compose package (2.26, depends only on
# libc), through a trixie source pinned below bookworm so that nothing else is upgraded from it;
# then dockerd in the background with the default bridge disabled: every Pulse container runs
# with host networking (traffic stays on 127.0.0.1, nothing on private address ranges).
# Usage: deploy/setup-docker.sh   (as root; prints each step's wall time)
set -euo pipefail

step() { STEP_NAME="$1"; STEP_START=$(date +%s.%N); echo "setup-docker: $1..." >&2; }
done_step() { printf 'setup-docker: %s done in %.1f s\n' "$STEP_NAME" "$(echo "$(date +%s.%N) - $STEP_START" | bc)" >&2; }

if [ "$(id -u)" -ne 0 ]; then echo "setup-docker: run as root (apt-get, dockerd)" >&2; exit 2; fi
export DEBIAN_FRONTEND=noninteractive

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

step "packages (docker.io, debootstrap, docker-compose from trixie)"
if ! have_pkg docker.io || ! have_pkg debootstrap || ! have_pkg docker-compose || ! command -v bc >/dev/null \
    || ! command -v unzip >/dev/null; then
  # trixie only for docker-compose: priority 100 keeps every other package on bookworm.
  if [ ! -f /etc/apt/sources.list.d/pulse-trixie.sources ]; then
    cat > /etc/apt/sources.list.d/pulse-trixie.sources <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    cat > /etc/apt/preferences.d/pulse-trixie <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  fi
  apt-get update -qq
  # bc: this script's timings; unzip: build-images.sh hashes jars by their entries.
  apt-get install -y -qq --no-install-recommends docker.io debootstrap bc unzip >/dev/null
  apt-get install -y -qq --no-install-recommends -t trixie docker-compose >/dev/null
fi
done_step

step "docker engine"
if ! docker info >/dev/null 2>&1; then
  command -v containerd >/dev/null || { echo "setup-docker: containerd missing" >&2; exit 1; }
  mkdir -p /var/log/pulse-docker
  # --bridge=none: no docker0 on 172.17/16; containers and builds use --network host.
  nohup dockerd --bridge=none --iptables=false --ip-masq=false --storage-driver=overlay2 \
    >/var/log/pulse-docker/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "setup-docker: dockerd did not become ready; see /var/log/pulse-docker/dockerd.log" >&2; exit 1; }
fi
docker compose version >/dev/null || { echo "setup-docker: the docker compose plugin is missing" >&2; exit 1; }
done_step
echo "setup-docker: ready: engine $(docker version -f '{{.Server.Version}}'), $(docker compose version --short 2>/dev/null || docker compose version)" >&2
