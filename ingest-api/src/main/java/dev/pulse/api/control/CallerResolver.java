package dev.pulse.api.control;

import io.javalin.http.Context;

/** Authenticates a control-plane request and names its tenant; throws a problem when it cannot. */
@FunctionalInterface
public interface CallerResolver {
    Caller resolve(Context ctx);
}
