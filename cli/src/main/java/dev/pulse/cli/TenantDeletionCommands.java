package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.control.audit.Actor;
import dev.pulse.control.lifecycle.deletion.DeletionCertificate;
import dev.pulse.control.lifecycle.deletion.DeletionException;
import dev.pulse.control.lifecycle.deletion.SigningKey;
import dev.pulse.control.lifecycle.deletion.TenantDeletion;
import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.Infrastructure;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.tenancy.TenantDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Optional;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code pulse tenant delete} and {@code pulse tenant verify-deletion} (README, "Tenant lifecycle").
 * Like {@code pulse lake maintain}, the job runs in this process directly against the stores
 * (runtime role bound to the tenant, operator role, catalog, Kafka admin, warehouse), not through
 * the HTTP API: it is long, and it must outlive any one request. Only who holds the deployment's
 * {@code pulse.env} (its database credentials) can run it; no HTTP route deletes a tenant.
 */
final class TenantDeletionCommands {
    private TenantDeletionCommands() {
    }

    /** The stores a deletion or a re-check talks to, opened from the deployment's settings. */
    private record Stores(TenantDatabase db, JdbcCatalog catalog, Admin kafka, FileIO io, TenantDeletion deletion) implements AutoCloseable {
        static Stores open(Settings settings, String poolName) {
            Infrastructure infrastructure = Infrastructure.from(settings);
            TenantDatabase db = infrastructure.openDatabase(poolName);
            JdbcCatalog catalog = infrastructure.openCatalog();
            Admin kafka = infrastructure.openKafkaAdmin();
            FileIO io = infrastructure.warehouse().openFileIo();
            TenantDeletion deletion = new TenantDeletion(db, Infrastructure.operatorDatabaseUrl(settings), kafka, catalog, io,
                    infrastructure.warehouse().location(), Clock.systemUTC());
            return new Stores(db, catalog, kafka, io, deletion);
        }

        @Override
        public void close() throws IOException {
            io.close();
            kafka.close();
            catalog.close();
            db.close();
        }
    }

    static Actor actor() {
        String user = System.getenv("USER");
        return new Actor(user != null && user.matches("[A-Za-z0-9._@-]{1,64}") ? "operator:" + user : "operator");
    }

    @Command(name = "delete", description = "Delete a tenant from every store (topics, offsets, tables, files, rows, keys, usage, audit "
            + "entries) as a resumable job, verify absence, and write a signed certificate of deletion.", mixinStandardHelpOptions = true)
    static final class Delete extends Verb {
        @Parameters(index = "0", description = "tenant slug")
        String slug;
        @Option(names = "--confirm", required = true, description = "the slug again: nothing is deleted unless it matches")
        String confirm;
        @Option(names = "--certificate", description = "where to write the certificate (default: ./certificate-of-deletion-<slug>.json)")
        Path certificate;

        @Override
        void run() {
            if (!slug.equals(confirm)) {
                throw new ParameterException(spec.commandLine(), "--confirm '" + confirm + "' does not match the slug '" + slug + "'; nothing was deleted");
            }
            Settings settings = RunningStack.settings();
            SigningKey key = signingKey(settings);
            Path file = certificate != null ? certificate : Path.of("certificate-of-deletion-" + slug + ".json");
            try (Stores stores = Stores.open(settings, "tenant-delete")) {
                TenantDeletion.DeletionResult result = stores.deletion().delete(slug, actor(), key, file);
                ObjectNode out = OperatorClient.JSON.createObjectNode();
                out.put("tenant_id", result.tenant().toString()).put("slug", slug).put("certificate", file.toAbsolutePath().toString())
                        .put("certificate_sha256", result.certificateSha256()).put("resumed", result.resumed())
                        .put("signing_key_id", SigningKey.fingerprint(key.publicKey()));
                emit(out, "tenant " + slug + " (" + result.tenant() + ") deleted" + (result.resumed() ? " (an unfinished deletion was resumed)" : "")
                        + "\n  certificate " + file.toAbsolutePath() + " (sha256 " + result.certificateSha256() + ")"
                        + "\n  signed with key " + SigningKey.fingerprint(key.publicKey()) + "; its public key:\n" + key.publicKeyPem().strip()
                        + "\n  check it with: pulse tenant verify-deletion " + file);
            } catch (IOException e) {
                throw new DeletionException("closing the stores failed: " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "verify-deletion", description = "Check a certificate of deletion's signature (any edit fails it) and, with "
            + "--check-stores, that the running stores still hold nothing of the tenant.", mixinStandardHelpOptions = true)
    static final class VerifyDeletion extends Verb {
        @Parameters(index = "0", description = "the certificate (JSON)")
        Path certificate;
        @Option(names = "--public-key", description = "the deployment's published public key (PEM); default: the .pub of PULSE_DELETION_SIGNING_KEY if set")
        Path publicKey;
        @Option(names = "--check-stores", description = "also look for the tenant in the running stores (Kafka, catalog, files, every tenant table, directory)")
        boolean checkStores;

        @Override
        void run() {
            JsonNode document;
            try {
                document = OperatorClient.JSON.readTree(Files.readString(certificate));
            } catch (IOException e) {
                throw new DeletionException("cannot read certificate " + certificate + ": " + e.getMessage(), e);
            }
            Optional<PublicKey> trusted = Optional.empty();
            Settings settings = null;
            if (publicKey != null) {
                trusted = Optional.of(SigningKey.readPublicKey(publicKey));
            } else {
                try {
                    settings = RunningStack.settings();
                    String configured = settings.get(PulseKeys.DELETION_SIGNING_KEY);
                    if (!configured.isBlank()) {
                        trusted = Optional.of(SigningKey.readPublicKey(SigningKey.publicKeyFile(Path.of(configured))));
                    }
                } catch (ConfigException e) {
                    // No deployment at hand: check the signature against the embedded key, and say so.
                }
            }
            DeletionCertificate.SignatureResult signature = DeletionCertificate.verify(document, trusted);
            ObjectNode out = OperatorClient.JSON.createObjectNode();
            out.put("certificate", certificate.toString());
            out.put("tenant_id", document.path("tenant").path("id").asText());
            out.put("signature_valid", signature.valid()).put("key_id", signature.keyId()).put("key_trusted", signature.keyTrusted())
                    .put("detail", signature.detail());
            StringBuilder readable = new StringBuilder((signature.valid() ? "valid: " : "INVALID: ") + signature.detail());
            boolean storesClean = true;
            if (checkStores && signature.valid()) {
                try (Stores stores = Stores.open(settings != null ? settings : RunningStack.settings(), "verify-deletion")) {
                    ObjectNode absence = stores.deletion().verifyAbsence(TenantId.parse(document.path("tenant").path("id").asText()));
                    out.set("stores", absence);
                    storesClean = absence.path("absent").asBoolean();
                    readable.append(storesClean ? "\nstores: no trace of tenant " : "\nstores: TRACES LEFT of tenant ")
                            .append(document.path("tenant").path("id").asText());
                    absence.path("stores").fields().forEachRemaining(s -> readable.append("\n  ").append(s.getKey()).append(": ")
                            .append(s.getValue().path("result").asText()).append(" ").append(s.getValue().path("remaining")));
                } catch (IOException e) {
                    throw new DeletionException("closing the stores failed: " + e.getMessage(), e);
                }
            }
            emit(out, readable.toString());
            if (!signature.valid() || !storesClean) {
                throw new RefusedException(1, signature.valid() ? "the stores still hold traces of the tenant" : "the certificate does not verify");
            }
        }
    }

    private static SigningKey signingKey(Settings settings) {
        String configured = settings.get(PulseKeys.DELETION_SIGNING_KEY);
        if (configured.isBlank()) {
            throw new ConfigException(PulseKeys.DELETION_SIGNING_KEY.name() + " is not set: name the Ed25519 key (PKCS#8 PEM, public key in "
                    + "<file>.pub) that signs certificates of deletion; `pulse dev` makes one in its data dir. Nothing was deleted.");
        }
        return SigningKey.load(Path.of(configured));
    }
}
