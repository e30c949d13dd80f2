package dev.pulse.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server (binaries from Maven Central) with a database {@code pulse} owned by
 * {@code pulse_admin}, a non-superuser that may create roles. Only the bootstrap superuser
 * {@code postgres} connects without a password; every Pulse role authenticates with SCRAM.
 */
final class EmbeddedPostgresServer implements AutoCloseable {
    static final String DATABASE = "pulse";
    static final String ADMIN_ROLE = "pulse_admin";

    private final Path dataDir;
    private final int port;
    private volatile EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(Path dataDir, int port, EmbeddedPostgres postgres) {
        this.dataDir = dataDir;
        this.port = port;
        this.postgres = postgres;
    }

    static EmbeddedPostgresServer start(Path dataDir, int port, String adminPassword) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres pg = launch(dataDir, port);
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(dataDir, pg.getPort(), pg);
            server.bootstrap(adminPassword);
            return server;
        } catch (IOException | SQLException e) {
            throw new DevStackException("embedded PostgreSQL did not start in " + dataDir, e);
        }
    }

    /**
     * Stops the server (a fast shutdown: sessions are ended, as an administrator's restart or a
     * failover ends them) and keeps its data directory; {@link #restart} brings it back.
     */
    synchronized void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /** Starts the server {@link #stop} stopped, on the same port and data directory. */
    synchronized void restart() {
        if (postgres != null) {
            return;
        }
        try {
            postgres = launch(dataDir, port);
        } catch (IOException e) {
            throw new DevStackException("embedded PostgreSQL did not start again in " + dataDir + " on port " + port, e);
        }
    }

    private static EmbeddedPostgres launch(Path dataDir, int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir.resolve("data"))
                .setOverrideWorkingDirectory(dataDir.resolve("binaries").toFile())
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setServerConfig("listen_addresses", "127.0.0.1")
                // Durable: the library starts postgres with -F (fsync off) and synchronous_commit=off,
                // so a crash of the machine (or a SIGKILL of the whole tree) could take back commits
                // the catalog and the worker had already acted on. "-c fsync=on" comes after -F and wins.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setDataDirectoryCustomizer(dir -> writeHba(dir.toPath()))
                .start();
    }

    private static void writeHba(Path dataDir) {
        try {
            Files.writeString(dataDir.resolve("pg_hba.conf"), """
                    # pulse devstack: the bootstrap superuser over loopback only; every other role with SCRAM.
                    local all postgres trust
                    host  all postgres 127.0.0.1/32 trust
                    local all all scram-sha-256
                    host  all all 127.0.0.1/32 scram-sha-256
                    """);
        } catch (IOException e) {
            throw new DevStackException("cannot write pg_hba.conf", e);
        }
    }

    /** Idempotent: creates the admin role and the database on first start, refreshes the password. */
    private void bootstrap(String adminPassword) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            requireDurable(st);
            boolean roleExists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, ADMIN_ROLE);
                try (ResultSet rs = ps.executeQuery()) {
                    roleExists = rs.next();
                }
            }
            // The password is generated from a fixed alphabet (StackState), so it is a safe literal.
            String password = "'" + adminPassword.replace("'", "''") + "'";
            st.execute((roleExists ? "ALTER" : "CREATE") + " ROLE " + ADMIN_ROLE
                    + " LOGIN CREATEROLE NOSUPERUSER NOREPLICATION PASSWORD " + password);
            boolean dbExists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    dbExists = rs.next();
                }
            }
            if (!dbExists) {
                st.execute("CREATE DATABASE " + DATABASE + " OWNER " + ADMIN_ROLE);
            }
        }
    }

    /** Fails start-up when the server could lose a commit it acknowledged (a library default we override). */
    private static void requireDurable(Statement st) throws SQLException {
        for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
            try (ResultSet rs = st.executeQuery("SELECT current_setting('" + setting + "')")) {
                rs.next();
                if (!"on".equals(rs.getString(1))) {
                    throw new DevStackException("embedded PostgreSQL runs with " + setting + "=" + rs.getString(1) + "; it must be on");
                }
            }
        }
    }

    int port() {
        return port;
    }

    String jdbcUrl(String user, String password, String extra) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE + "?user=" + user + "&password=" + password
                + (extra == null ? "" : "&" + extra);
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
