# One image for every Pulse service; the command picks which (api, worker, query, migrate).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package -pl cli -am

FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 pulse && mkdir -p /var/lib/pulse/warehouse && chown -R pulse /var/lib/pulse
COPY --from=build /src/cli/target/pulse-cli.jar /opt/pulse/pulse-cli.jar
# Only the production classpath: target/lib. target/dev-lib (devstack, embedded PostgreSQL, the
# Kafka broker) is for `./pulse dev` in a clone and never enters the image (ProductionArtifactIT).
COPY --from=build /src/cli/target/lib /opt/pulse/lib
USER pulse
ENTRYPOINT ["java", "-jar", "/opt/pulse/pulse-cli.jar"]
