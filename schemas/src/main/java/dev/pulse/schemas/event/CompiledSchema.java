package dev.pulse.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.pulse.schemas.event.EventConverter.Violation;
import dev.pulse.schemas.event.FieldType.ArrayType;
import dev.pulse.schemas.event.FieldType.Field;
import dev.pulse.schemas.event.FieldType.ObjectType;
import dev.pulse.schemas.event.FieldType.Scalar;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A registered schema compiled by networknt's JSON Schema validator (draft 2020-12), for the
 * validation keywords of {@link ValueKeywords}; the structural keywords are {@link EventConverter}'s,
 * which runs first. Compiling is the costly part: the worker keeps one per tenant and schema
 * version. A schema without validation keywords compiles to nothing and checks nothing.
 *
 * <p>Nothing is ever fetched: the parser has already refused every {@code $ref} other than
 * {@code "#/$defs/<name>"}, and {@code $schema} and {@code $id} are left out of the compiled copy
 * (every schema is read as draft 2020-12), so no dialect or base URI points anywhere.
 * {@code pattern} runs on {@link SafePatterns} (linear time); {@code format} is the converter's.
 */
public final class CompiledSchema {
    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .regularExpressionFactory(SafePatterns.FACTORY)
                    .formatAssertionsEnabled(false)
                    .pathType(PathType.JSON_POINTER)
                    .build()));
    private static final CompiledSchema NOTHING_TO_CHECK = new CompiledSchema(null);

    private final Schema schema;

    private CompiledSchema(Schema schema) {
        this.schema = schema;
    }

    /** {@code definition} as registered (the parser accepted it) and its parsed form. */
    public static CompiledSchema compile(JsonNode definition, EventSchema parsed) {
        if (!hasValueKeywords(parsed.root())) {
            return NOTHING_TO_CHECK;
        }
        JsonNode copy = withoutIdentifiers(definition.deepCopy());
        Schema schema = VALIDATORS.getSchema(copy);
        schema.initializeValidators(); // compile now (patterns included), not at the first event
        return new CompiledSchema(schema);
    }

    /** Whether anything is checked here at all (false for schemas of the structural subset only). */
    public boolean checksValues() {
        return schema != null;
    }

    /** The violations of the validation keywords by {@code data} (already valid against the structure), each naming keyword and pointer. */
    public List<Violation> violations(JsonNode data) {
        if (schema == null) {
            return List.of();
        }
        List<Error> errors = schema.validate(data);
        if (errors.isEmpty()) {
            return List.of();
        }
        List<Violation> violations = new ArrayList<>(errors.size());
        for (Error error : errors) {
            String at = error.getInstanceLocation().toString();
            violations.add(new Violation("/data" + (at.equals("/") ? "" : at), error.getKeyword() + ": " + error.getMessage()));
        }
        return violations;
    }

    static boolean hasValueKeywords(FieldType type) {
        return switch (type) {
            case Scalar s -> !s.constraints().isEmpty();
            case ArrayType a -> !a.constraints().isEmpty() || hasValueKeywords(a.items());
            case ObjectType o -> o.fields().stream().map(Field::type).anyMatch(CompiledSchema::hasValueKeywords);
        };
    }

    /** Drops {@code $schema} and {@code $id} from every object of the schema (no property can have those names). */
    private static JsonNode withoutIdentifiers(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("$schema");
            object.remove("$id");
            for (Iterator<JsonNode> it = object.elements(); it.hasNext(); ) {
                withoutIdentifiers(it.next());
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(CompiledSchema::withoutIdentifiers);
        }
        return node;
    }
}
