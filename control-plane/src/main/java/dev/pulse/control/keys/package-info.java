/**
 * API keys, all in one place: the token format {@code pulse_<key id>_<secret>} and its hashing,
 * the {@link dev.pulse.control.keys.Scope scopes}, the key store (create, list, revoke, rotate with
 * a grace period, and {@link dev.pulse.control.keys.ApiKeyStore#authenticate authenticate}), the
 * bounds of an expiry and a grace period, the batched {@code last_used_at} updates, and the
 * {@link dev.pulse.control.keys.KeyCache} that spares a busy key its database read for 500 ms
 * (the bound on refusing a revoked key; see its documentation). Only the
 * hash of a secret is stored. http-edge authenticates requests through this package and uses no
 * other package of the control plane.
 */
package dev.pulse.control.keys;
