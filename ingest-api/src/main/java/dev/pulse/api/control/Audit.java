package dev.pulse.api.control;

import io.javalin.http.Context;
import java.util.regex.Pattern;

/**
 * Names who makes a control-plane change. The change itself writes its audit entry, inside its
 * own transaction (see {@code dev.pulse.control.audit.Actor}).
 */
public final class Audit {
    /** Optional header naming the person behind the operator token (the CLI sends {@code $USER}). */
    public static final String ACTOR_HEADER = "X-Pulse-Actor";
    private static final Pattern ACTOR_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    private Audit() {
    }

    /**
     * {@code operator}, or {@code operator:<name>} with a well-formed {@value #ACTOR_HEADER}. The
     * name is a claim of whoever holds the operator token, recorded as such, not an identity.
     */
    public static String operatorActor(Context ctx) {
        String claimed = ctx.header(ACTOR_HEADER);
        return claimed != null && ACTOR_NAME.matcher(claimed.strip()).matches() ? "operator:" + claimed.strip() : "operator";
    }
}
