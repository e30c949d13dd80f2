package dev.pulse.api.control;

import dev.pulse.schemas.control.AuditLog;
import dev.pulse.schemas.naming.TenantId;
import io.javalin.http.Context;
import java.util.Map;
import java.util.regex.Pattern;

/** Appends control-plane changes to the audit log and names the operator's actor. */
public final class Audit {
    /** Optional header naming the person behind the operator token (the CLI sends {@code $USER}). */
    public static final String ACTOR_HEADER = "X-Pulse-Actor";
    private static final Pattern ACTOR_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private final AuditLog log;

    public Audit(AuditLog log) {
        this.log = log;
    }

    /**
     * {@code operator}, or {@code operator:<name>} with a well-formed {@value #ACTOR_HEADER}. The
     * name is a claim of whoever holds the operator token, recorded as such, not an identity.
     */
    public static String operatorActor(Context ctx) {
        String claimed = ctx.header(ACTOR_HEADER);
        return claimed != null && ACTOR_NAME.matcher(claimed.strip()).matches() ? "operator:" + claimed.strip() : "operator";
    }

    /**
     * Records a change that has been made. It runs after the change's own transaction: should
     * this write fail, the request fails (so the caller knows) although the change stands.
     */
    public void record(String actor, String action, TenantId tenant, Map<String, ?> detail) {
        log.record(actor, action, tenant, detail);
    }
}
