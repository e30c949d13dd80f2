/**
 * Dead letters over HTTP: the counts and newest samples of a tenant's dead letters, one dead
 * letter by its stable id, and dropping the ones a filter selects (audited {@code dlq.drop}).
 * The same handlers serve the operator ({@code /admin/v1/tenants/{slug}/dlq…}) and the tenant's
 * own {@code manage} key ({@code /v1/dlq…}); every read and change runs in a transaction bound to
 * the caller's tenant, so another tenant's dead letter is simply not found (404). Replays need
 * Kafka and run from {@code pulse dlq replay}.
 */
package dev.pulse.api.dlq;
