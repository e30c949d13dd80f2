package dev.pulse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "key", description = "API keys of a tenant.",
        subcommands = {KeyCommands.Create.class, KeyCommands.ListKeys.class, KeyCommands.Revoke.class, KeyCommands.Rotate.class},
        mixinStandardHelpOptions = true)
final class KeyCommands {
    static final List<Output.Column> COLUMNS = List.of(Output.Column.of("KEY ID", "key_id"), Output.Column.of("NAME", "name"),
            Output.Column.of("SCOPES", "scopes"), Output.Column.of("STATUS", "status"), Output.Column.of("CREATED", "created_at"),
            Output.Column.of("EXPIRES", "expires_at"), Output.Column.of("LAST USED", "last_used_at"));

    static String shownOnce(JsonNode key) {
        return key.path("key").asText() + "  (key id " + key.path("key_id").asText() + ", scopes " + key.path("scopes")
                + "; shown once, store it now)";
    }

    @Command(name = "create", description = "Create an API key; the key is printed once and never stored.", mixinStandardHelpOptions = true)
    static final class Create extends Verb.TenantVerb {
        @Option(names = "--scopes", required = true, split = ",", description = "comma-separated: ingest, query, manage")
        String[] scopes;
        @Option(names = "--name", description = "a name to recognise the key by")
        String name;
        @Option(names = "--expires-at", description = "RFC 3339 expiry, e.g. 2027-01-01T00:00:00Z")
        String expiresAt;

        @Override
        void run() {
            ObjectNode body = OperatorClient.JSON.createObjectNode();
            ArrayNode scopeArray = body.putArray("scopes");
            for (String s : scopes) {
                scopeArray.add(s.strip());
            }
            if (name != null) {
                body.put("name", name);
            }
            if (expiresAt != null) {
                body.put("expires_at", expiresAt);
            }
            JsonNode key = client().post(path("/keys"), body);
            emit(key, shownOnce(key));
        }
    }

    @Command(name = "list", description = "List a tenant's keys (never their secrets).", mixinStandardHelpOptions = true)
    static final class ListKeys extends Verb.TenantVerb {

        @Override
        void run() {
            emitTable(client().get(path("/keys")), COLUMNS);
        }
    }

    /**
     * A verb on one key: the key id names its tenant (an exact-match lookup on the server), so
     * {@code --tenant} is optional; when given, the key must belong to that tenant.
     */
    abstract static class KeyVerb extends Verb {
        @Option(names = "--tenant", description = "tenant slug (optional: the key id names its tenant)")
        String tenant;
        @Parameters(index = "0", description = "key id (16 hex characters)")
        String keyId;

        String keyPath(String action) {
            String key = "/keys/" + OperatorClient.segment(keyId) + "/" + action;
            return tenant == null ? "/admin/v1" + key : OperatorClient.tenantPath(tenant, key);
        }
    }

    @Command(name = "revoke", description = "Revoke a key: refused from the next request on.", mixinStandardHelpOptions = true)
    static final class Revoke extends KeyVerb {

        @Override
        void run() {
            JsonNode key = client().post(keyPath("revoke"));
            emit(key, "key " + key.path("key_id").asText() + " is " + key.path("status").asText()
                    + " (since " + key.path("revoked_at").asText() + ")");
        }
    }

    @Command(name = "rotate", description = "Replace a key by a new one with the same name, scopes and expiry.", mixinStandardHelpOptions = true)
    static final class Rotate extends KeyVerb {
        @Option(names = "--grace-seconds", defaultValue = "0",
                description = "how long the old key keeps working (default: ${DEFAULT-VALUE}, revoked at once)")
        long graceSeconds;

        @Override
        void run() {
            ObjectNode body = OperatorClient.JSON.createObjectNode().put("grace_seconds", graceSeconds);
            JsonNode key = client().post(keyPath("rotate"), body);
            JsonNode previous = key.path("previous");
            emit(key, shownOnce(key) + "\nprevious key " + previous.path("key_id").asText() + " is "
                    + previous.path("status").asText() + ("active".equals(previous.path("status").asText())
                            ? " until " + previous.path("expires_at").asText() : ""));
        }
    }
}
