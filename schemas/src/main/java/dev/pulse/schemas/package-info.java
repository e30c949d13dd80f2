/**
 * The shared contract of every Pulse module: what they must agree on and nothing more. It depends
 * on no other Pulse module; the operations on tenants, keys, schemas and datasets are the
 * control plane's ({@code control-plane}, {@code dev.pulse.control}).
 * <ul>
 *   <li>{@code naming}: tenant ids, slugs, topic, namespace and table names;</li>
 *   <li>{@code event}: the event envelope, the JSON Schema subset and its Iceberg mapping;</li>
 *   <li>{@code tenancy}: the migrations, the one door to tenant data and the start-up guard;</li>
 *   <li>{@code directory}: the read side the worker and lake-query share (datasets, schema
 *       versions, tenant status, ingest status);</li>
 *   <li>{@code lake}: the Iceberg catalog; {@code config}: the typed settings.</li>
 * </ul>
 * {@link dev.pulse.schemas.PulseException} is the root of the contract's unchecked exceptions.
 */
package dev.pulse.schemas;
