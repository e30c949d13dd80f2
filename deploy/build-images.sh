#!/usr/bin/env bash
# build-images.sh: builds Pulse's deployment images from Debian packages and Maven Central jars,
# with no image registry: one Debian 13 ("trixie") minbase root made by debootstrap with every
# package the images need (Java 21, PostgreSQL 17, PgBouncer, socat) and imported as pulse/base,
# then pulse/pulse (the three services and migrate, from the production jar
# cli/target/pulse-cli.jar + lib/), pulse/kafka (a KRaft broker from the Maven Central jars),
# pulse/s3 (S3Proxy from Maven Central, the object store of docker-compose.s3.yml),
# pulse/postgres, pulse/pgbouncer, pulse/socat (Testcontainers' ambassador). One debootstrap
# instead of an apt-get per image: 4 apt-get runs (each its own index download and dpkg) took
# 6.6 min cold; the images share the base's one layer.
#
# Usage: build-images.sh [--packages-only]
#   --packages-only  only the images made of Debian packages (base, postgres, pgbouncer, socat):
#                    ./pulse test builds these in the background while the suite runs, and the
#                    system tests build the rest (pulse, kafka, s3) from the jars of that same run.
# Runs one at a time per machine (a lock in the work folder): a second call waits for the first
# and then finds its images up to date.
#
# Cache: each image carries the label dev.pulse.inputs, a hash of what it is built from (its
# folder under deploy/images, its parent image's id, the jars it copies, by content); an image
# whose inputs did not change is not rebuilt. FORCE=1 rebuilds all. Prints each step's wall time.
# Needs a running engine (deploy/setup-docker.sh) and the CLI packaged (./pulse builds it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="$ROOT/deploy/images"
WORK="${PULSE_DEPLOY_WORK:-/var/tmp/pulse-deploy}"
SUITE=trixie
LABEL=dev.pulse.inputs
mkdir -p "$WORK"

now_ms() { date +%s%3N; }
log() { echo "build-images: $*" >&2; }
timed() { # timed NAME COMMAND...: runs it and prints its wall time
  local name="$1" start; shift; start=$(now_ms)
  "$@"
  log "$name: $(( ($(now_ms) - start) / 1000 )).$(( ($(now_ms) - start) % 1000 / 100 )) s"
}
current_inputs() { docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }
image_id() { docker image inspect -f '{{.Id}}' "$1"; }
# A jar's hash by its entries' contents (Maven rewrites timestamps at every package).
jar_hash() { unzip -p "$1" | sha256sum | cut -c1-64; }
dir_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-64; }

PACKAGES_ONLY=0
case "${1:-}" in
  --packages-only) PACKAGES_ONLY=1 ;;
  "") ;;
  *) echo "usage: build-images.sh [--packages-only]" >&2; exit 2 ;;
esac

docker info >/dev/null 2>&1 || { log "no Docker engine: run deploy/setup-docker.sh first"; exit 2; }
exec 9>"$WORK/lock"
flock 9

# build NAME CONTEXT EXTRA_HASH: docker build CONTEXT as pulse/NAME unless its inputs are unchanged.
build() {
  local name="$1" context="$2" extra="$3" parent inputs
  parent=$(sed -n 's/^FROM //p' "$IMAGES/$name/Dockerfile" | head -1)
  inputs=$( { dir_hash "$IMAGES/$name"; image_id "$parent"; echo "$extra"; } | sha256sum | cut -c1-64)
  if [ "${FORCE:-0}" != 1 ] && [ "$(current_inputs "pulse/$name:$SUITE")" = "$inputs" ]; then
    log "pulse/$name:$SUITE is up to date"
    return
  fi
  [ -z "${BEFORE_BUILD:-}" ] || "$BEFORE_BUILD"
  # Host network: the engine runs without a bridge (setup-docker.sh); apt-get reaches Debian's mirror.
  timed "pulse/$name:$SUITE built" docker_build "$name" "$context" "$inputs"
}
docker_build() {
  docker build --network host --label "$LABEL=$3" -t "pulse/$1:$SUITE" "$2" >"$WORK/build-$1.log" 2>&1 \
    || { tail -30 "$WORK/build-$1.log" >&2; log "docker build of pulse/$1 failed; see $WORK/build-$1.log"; exit 1; }
}

# ---- base: debootstrap --variant=minbase with every package of every image, imported ----
PACKAGES=openjdk-21-jre-headless,ca-certificates-java,postgresql-17,pgbouncer,socat
base_inputs=$(echo "debootstrap minbase $SUITE v2 $PACKAGES" | sha256sum | cut -c1-64)
if [ "${FORCE:-0}" = 1 ] || [ "$(current_inputs pulse/base:$SUITE)" != "$base_inputs" ]; then
  rootfs="$WORK/rootfs-$SUITE"
  rm -rf "$rootfs"
  bootstrap() { debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" >"$WORK/debootstrap.log" 2>&1; }
  timed "debootstrap $SUITE (+ $PACKAGES)" bootstrap || { log "debootstrap failed; see $WORK/debootstrap.log"; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  timed "docker import pulse/base:$SUITE" sh -c "tar -C '$rootfs' -c . | docker import --change 'LABEL $LABEL=$base_inputs' \
    --change 'ENV LANG=C.UTF-8' --change 'CMD [\"/bin/bash\"]' - pulse/base:$SUITE >/dev/null"
  rm -rf "$rootfs"
else
  log "pulse/base:$SUITE is up to date"
fi

build postgres "$IMAGES/postgres" ""
build pgbouncer "$IMAGES/pgbouncer" ""
build socat "$IMAGES/socat" ""
if [ "$PACKAGES_ONLY" = 1 ]; then
  log "images of Debian packages: $(docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'pulse/*' | sort | tr '\n' ' ')"
  exit 0
fi

# ---- pulse: the production jar and its lib/ ----
JAR="$ROOT/cli/target/pulse-cli.jar"
if [ ! -f "$JAR" ] || [ ! -d "$ROOT/cli/target/lib" ]; then
  log "cli/target/pulse-cli.jar is missing: packaging the CLI"
  timed "mvn package -pl cli -am" sh -c "cd '$ROOT' && mvn -B -q -Dstyle.color=never -DskipTests package -pl cli -am"
fi
ctx="$WORK/context-pulse"
rm -rf "$ctx" && mkdir -p "$ctx"
cp "$IMAGES/pulse/Dockerfile" "$JAR" "$ctx/"
cp -r "$ROOT/cli/target/lib" "$ctx/lib"
pulse_jars=$( { jar_hash "$JAR"; for j in "$ctx"/lib/*.jar; do
    case "$(basename "$j")" in pulse-*) echo "$(basename "$j") $(jar_hash "$j")" ;; *) basename "$j" ;; esac; done; } | sha256sum | cut -c1-64)
build pulse "$ctx" "$pulse_jars"

# ---- kafka: the broker's jars from Maven Central (the local repository), the project's versions ----
# Inputs: the poms (kafka.version, dependency management); the jars are fetched only to rebuild.
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
kafka_copy() { # kafka_copy [-o]: the broker's runtime jars into the build context
  mvn -B -q -Dstyle.color=never "$@" -f "$IMAGES/kafka/pom.xml" \
    dependency:copy-dependencies -DoutputDirectory="$WORK/context-kafka/libs" -DincludeScope=runtime
}
kafka_jars() {
  local ctx="$WORK/context-kafka"
  rm -rf "$ctx" && mkdir -p "$ctx/libs"
  cp "$IMAGES/kafka/Dockerfile" "$IMAGES/kafka/logback.xml" "$IMAGES/kafka/kafka-start.sh" "$ctx/"
  # From the local repository when the build already resolved them (it has: the devstack broker),
  # otherwise from Maven Central.
  copy_offline() { kafka_copy -o >"$WORK/kafka-jars.log" 2>&1; }
  copy_online() { kafka_copy >>"$WORK/kafka-jars.log" 2>&1; }
  if ! timed "kafka $KAFKA_VERSION jars (local repository)" copy_offline; then
    timed "kafka $KAFKA_VERSION jars (Maven Central)" copy_online \
      || { tail -20 "$WORK/kafka-jars.log" >&2; log "the Kafka jars could not be copied; see $WORK/kafka-jars.log"; exit 1; }
  fi
}
BEFORE_BUILD=kafka_jars build kafka "$WORK/context-kafka" "$(sha256sum "$ROOT/pom.xml" | cut -c1-64)"

# ---- s3: S3Proxy's self-contained jar from Maven Central, the version its pom pins ----
# Inputs: its folder (the pom pins the version); the jar is fetched only to rebuild.
s3_jar() {
  local ctx="$WORK/context-s3"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$IMAGES/s3/Dockerfile" "$IMAGES/s3/s3-start.sh" "$ctx/"
  s3_copy() { mvn -B -q -Dstyle.color=never "$@" -f "$IMAGES/s3/pom.xml" dependency:copy -Ds3proxy.jar.dir="$ctx"; }
  # From the local repository when it is there, otherwise from Maven Central (41 MB).
  copy_offline() { s3_copy -o >"$WORK/s3-jar.log" 2>&1; }
  copy_online() { s3_copy >>"$WORK/s3-jar.log" 2>&1; }
  if ! timed "s3proxy jar (local repository)" copy_offline; then
    timed "s3proxy jar (Maven Central)" copy_online \
      || { tail -20 "$WORK/s3-jar.log" >&2; log "the S3Proxy jar could not be copied; see $WORK/s3-jar.log"; exit 1; }
  fi
}
BEFORE_BUILD=s3_jar build s3 "$WORK/context-s3" ""
log "images: $(docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'pulse/*' | sort | tr '\n' ' ')"
