#!/bin/sh
# Starts S3Proxy on 127.0.0.1:S3_PORT (default 9000), AWS signature v2 or v4 with the key
# S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (required), objects under /var/lib/pulse-s3/data.
# The bucket S3_BUCKET (default pulse-warehouse) is a folder there: created before the port opens,
# so a healthy container already has it.
# ignore-unknown-headers: AWS SDK v2 (2.30+) sends x-amz-checksum-crc32 with DeleteObjects, which
# S3Proxy 2.6.0 would answer 501 NotImplemented; it does not verify that checksum either way.
set -eu
DIR=/var/lib/pulse-s3
umask 077
mkdir -p "$DIR/data/${S3_BUCKET:-pulse-warehouse}"
cat > "$DIR/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:${S3_PORT:-9000}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${S3_ACCESS_KEY_ID:?}
s3proxy.credential=${S3_SECRET_ACCESS_KEY:?}
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$DIR/data
PROPS
# NopStatusListener: no dump of logback's own configuration steps at every start.
exec java $S3_JAVA_OPTS -XX:+UseSerialGC -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
  -jar /opt/s3proxy/s3proxy.jar --properties "$DIR/s3proxy.properties"
