/**
 * The append-only audit log: who ({@link dev.pulse.control.audit.Actor}) did what, when, to which
 * tenant. Every change of the control plane appends its entry inside its own transaction, so a
 * change and its entry commit together or not at all; entries are numbered per tenant.
 */
package dev.pulse.control.audit;
