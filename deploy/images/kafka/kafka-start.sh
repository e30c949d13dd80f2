#!/bin/sh
# Starts one KRaft node. Required: KAFKA_NODE_ID, KAFKA_LISTENERS, KAFKA_ADVERTISED_LISTENERS,
# KAFKA_CONTROLLER_QUORUM_VOTERS, KAFKA_CLUSTER_ID. Every other KAFKA_FOO_BAR becomes foo.bar.
set -eu
set -f  # no globbing: the classpath "libs/*" goes to java as it is
CONF=/var/lib/kafka/server.properties
LOGS=/var/lib/kafka/data
{
  echo "process.roles=broker,controller"
  echo "controller.listener.names=CONTROLLER"
  echo "inter.broker.listener.name=PLAINTEXT"
  echo "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  echo "log.dirs=$LOGS"
  env | grep '^KAFKA_' | grep -v -e '^KAFKA_HEAP_OPTS=' -e '^KAFKA_CLUSTER_ID=' | while IFS='=' read -r key value; do
    echo "$(echo "${key#KAFKA_}" | tr 'A-Z_' 'a-z.')=$value"
  done
} > "$CONF"
CP="/opt/kafka/libs/*"
JAVA="java $KAFKA_HEAP_OPTS -XX:+UseSerialGC -Dlogback.configurationFile=/opt/kafka/logback.xml -cp $CP"
if [ ! -f "$LOGS/meta.properties" ]; then
  $JAVA kafka.tools.StorageTool format --cluster-id "$KAFKA_CLUSTER_ID" --config "$CONF" --ignore-formatted
fi
exec $JAVA kafka.Kafka "$CONF"
