/**
 * {@code pulse tenant delete} and {@code pulse tenant verify-deletion}: deleting one tenant from
 * every store as a resumable job ({@link dev.pulse.control.lifecycle.deletion.TenantDeletion}),
 * verifying absence, and the signed certificate of deletion
 * ({@link dev.pulse.control.lifecycle.deletion.DeletionCertificate}, Ed25519 with the deployment's
 * {@link dev.pulse.control.lifecycle.deletion.SigningKey}). README, "Tenant lifecycle".
 */
package dev.pulse.control.lifecycle.deletion;
