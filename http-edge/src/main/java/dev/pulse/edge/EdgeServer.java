package dev.pulse.edge;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.HttpListener;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.util.JavalinBindException;
import java.util.List;
import java.util.function.Consumer;

/** What every Pulse HTTP server shares: its Javalin settings, its problem mapping, how it starts. */
public final class EdgeServer {
    private EdgeServer() {
    }

    /**
     * Applies the shared settings (no banner, 405 before 404, Jetty's own refusals as problems)
     * and installs the shared {@link ProblemMapping}, which the caller extends with its own
     * exceptions. {@code beforeProblem} runs before any problem is written.
     */
    public static ProblemMapping configure(JavalinConfig javalin, Consumer<Context> beforeProblem) {
        javalin.startup.showJavalinBanner = false;
        javalin.http.prefer405over404 = true;
        javalin.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JettyProblems()));
        return ProblemMapping.install(javalin.routes, beforeProblem);
    }

    /** {@link #configure(JavalinConfig, Consumer)} with nothing to do before a problem is written. */
    public static ProblemMapping configure(JavalinConfig javalin) {
        return configure(javalin, ctx -> { });
    }

    /**
     * Starts {@code server} on the listener's address and port. A port that cannot be bound (in
     * use, not permitted) stops the server again and is a {@link ConfigException} naming the
     * port's key and how to choose another ({@code hint}), like any other bad setting.
     */
    public static void start(Javalin server, HttpListener listener, String hint) {
        try {
            server.start(listener.bindAddress(), listener.port());
        } catch (JavalinBindException e) {
            server.stop();
            throw new ConfigException(listener.portKey().name() + "=" + listener.port() + " cannot be used on " + listener.bindAddress() + ": "
                    + e.getMessage() + " (" + hint + ")");
        }
    }

    /** Every (method, path) the server registered, e.g. {@code GET /v1/keys}; the OpenAPI tests compare them with the document. */
    public static List<String> registeredRoutes(Javalin server) {
        return server.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path).toList();
    }
}
