package dev.pulse.worker.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.HttpListener;
import dev.pulse.schemas.metrics.ScrapeAccess;
import dev.pulse.schemas.metrics.ServiceMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The worker's {@code GET /metrics}, on a port of its own ({@code PULSE_WORKER_METRICS_PORT}):
 * the worker has no HTTP API, and a JDK server keeps Jetty off its classpath. The same rule as
 * the HTTP services: the scrape token or the operator token, else 401 problem+json; anything but
 * {@code GET /metrics} is 404 (or 405).
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String REALM = "Bearer realm=\"pulse\"";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves {@code metrics} on {@code listener}; a port that cannot be bound is a {@link ConfigException} naming its key. */
    public static MetricsEndpoint start(ServiceMetrics metrics, HttpListener listener) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(listener.bindAddress(), listener.port()), 16);
        } catch (IOException e) {
            throw new ConfigException(listener.portKey().name() + "=" + listener.port() + " cannot be used on " + listener.bindAddress() + ": "
                    + e.getMessage() + " (choose another port, e.g. pulse dev --worker-metrics-port)");
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("pulse-worker-metrics-http").daemon().factory());
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, metrics));
        server.start();
        return new MetricsEndpoint(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, ServiceMetrics metrics) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                problem(exchange, 404, "route-not-found", "Not Found", "the worker serves only GET /metrics", false);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                problem(exchange, 405, "method-not-allowed", "Method Not Allowed", "only GET /metrics", false);
                return;
            }
            ScrapeAccess.Verdict verdict = metrics.access().check(exchange.getRequestHeaders().getFirst("Authorization"));
            switch (verdict) {
                case MISSING -> problem(exchange, 401, "unauthorized", "Unauthorized",
                        "send the scrape token (PULSE_METRICS_TOKEN) or the operator token as 'Authorization: Bearer <token>'", false);
                case REFUSED -> problem(exchange, 401, "unauthorized", "Unauthorized",
                        "metrics are read with the scrape token (PULSE_METRICS_TOKEN) or the operator token, never with an API key", true);
                case ALLOWED -> send(exchange, 200, ServiceMetrics.CONTENT_TYPE, metrics.scrape());
            }
        }
    }

    private static void problem(HttpExchange exchange, int status, String code, String title, String detail, boolean invalidToken)
            throws IOException {
        if (status == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", invalidToken ? REALM + ", error=\"invalid_token\"" : REALM);
        }
        String body = "{\"type\":\"https://pulse.dev/problems/" + code + "\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\"", "\\\"") + "\"}";
        send(exchange, status, PROBLEM_JSON, body);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
