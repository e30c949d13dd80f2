package dev.pulse.query;

import dev.pulse.edge.EdgeServer;
import dev.pulse.query.http.QueryHttp;
import dev.pulse.query.preview.PreviewService;
import dev.pulse.query.sandbox.DuckDbSandbox;
import dev.pulse.query.sandbox.SandboxLimits;
import dev.pulse.schemas.tenancy.TenantDatabase;
import io.javalin.Javalin;
import dev.pulse.schemas.metrics.ServiceMetrics;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lake-query service: analysts' HTTP API over the tenants' Iceberg tables, read through a
 * sandboxed DuckDB. {@link #start} refuses to start when the runtime role could bypass RLS.
 */
public final class LakeQuery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LakeQuery.class);

    private final TenantDatabase db;
    private final JdbcCatalog catalog;
    private final DuckDbSandbox sandbox;
    private final Javalin server;
    private final ServiceMetrics metrics;

    private LakeQuery(TenantDatabase db, JdbcCatalog catalog, DuckDbSandbox sandbox, Javalin server, ServiceMetrics metrics) {
        this.metrics = metrics;
        this.db = db;
        this.catalog = catalog;
        this.sandbox = sandbox;
        this.server = server;
    }

    public static LakeQuery start(QueryConfig config) {
        TenantDatabase db = config.infrastructure().openDatabase("query");
        JdbcCatalog catalog = null;
        DuckDbSandbox sandbox = null;
        ServiceMetrics metrics = null;
        try {
            db.requireSafeRuntimeRole();
            metrics = ServiceMetrics.create("query", config.metrics());
            db.reportTo(metrics.registry());
            catalog = config.infrastructure().openCatalog();
            sandbox = new DuckDbSandbox(new SandboxLimits(config.threads(), config.memoryLimit(), config.queryTimeout(),
                    config.maxRows(), config.tempDirectory(), config.maxConcurrentQueries()));
            PreviewService previews = new PreviewService(db, catalog, config.infrastructure().warehouse(), config.cache(), sandbox);
            Javalin server = QueryHttp.create(db, previews, config.previewDefaultLimit(), config.previewMaxLimit(), metrics);
            EdgeServer.start(server, config.listener(), "choose another port, e.g. pulse dev --query-port");
            LOG.info("lake-query listening on port {}", server.port());
            return new LakeQuery(db, catalog, sandbox, server, metrics);
        } catch (RuntimeException e) {
            closeAll(null, sandbox, catalog, db);
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
    }

    /** "METHOD /path" of every route the server registered, for the OpenAPI test. */
    java.util.List<String> registeredRoutes() {
        return EdgeServer.registeredRoutes(server);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        closeAll(server, sandbox, catalog, db);
        metrics.close();
    }

    private static void closeAll(Javalin server, DuckDbSandbox sandbox, JdbcCatalog catalog, TenantDatabase db) {
        if (server != null) {
            server.stop();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        if (catalog != null) {
            catalog.close();
        }
        db.close();
    }
}
