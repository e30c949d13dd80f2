/**
 * Usage metering's shared contract: the usage record every Pulse service writes to the internal
 * usage topic ({@link dev.pulse.schemas.usage.UsageRecord}, {@link dev.pulse.schemas.usage.UsageTopic}),
 * what it counts ({@link dev.pulse.schemas.usage.UsageMetric}), and the per-tenant minutes the
 * worker's topology stores ({@link dev.pulse.schemas.usage.UsageMinutes}, table
 * {@code pulse.usage_minutes}, RLS).
 *
 * <h2>Who writes what</h2>
 *
 * <ul>
 *   <li>ingest-api: events accepted, their bytes, and refused requests by status, gathered in
 *       memory and sent once a second per tenant, minute, metric and dimension (no id). A killed
 *       API loses at most its last second of edge counts; they are never counted twice.</li>
 *   <li>the worker, inside the Kafka transaction of each batch (with its DLQ records and group
 *       offsets): events dead-lettered by error code (no id: the transaction makes them exactly
 *       once with the dead letters), and rows landed, one record per table commit with the id
 *       {@code landed/<table>/<snapshot id>}. A commit whose transaction died with the process is
 *       sent again, from the table's snapshots, when its partition is next positioned; the id
 *       makes the copies count once.</li>
 *   <li>the dead-letter tooling (replay, drop): {@link dev.pulse.schemas.usage.UsageRecord#deadLettersReplayed}
 *       in the replay's own Kafka transaction; {@link dev.pulse.schemas.usage.UsageRecord#deadLetterDropped}
 *       with the dead letter's id, so that sending it again is harmless. Send
 *       {@code record.toProducerRecord()} with any producer; the topic exists once a worker or an
 *       API started ({@link dev.pulse.schemas.usage.UsageTopic#ensure}).</li>
 * </ul>
 */
package dev.pulse.schemas.usage;
