package dev.pulse.control.registry;

import dev.pulse.schemas.event.EventSchema;
import dev.pulse.schemas.event.FieldType.ArrayType;
import dev.pulse.schemas.event.FieldType.Field;
import dev.pulse.schemas.event.FieldType.ObjectType;
import dev.pulse.schemas.event.FieldType.Scalar;
import dev.pulse.schemas.event.FieldType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * BACKWARD compatibility between two versions of a schema: the new version must accept what the
 * table already holds. A new version may add optional properties and widen int32 to integer
 * (int64) or float to number (double); it may not remove a property,
 * change a type, add a required property, make an optional property required or non-nullable,
 * drop enum values, or add or tighten a validation keyword ({@link ConstraintChanges}). Every
 * incompatible change is listed, with its JSON pointer. References ({@code $ref}) are compared
 * as the definitions they stand for.
 */
public final class Compatibility {
    private Compatibility() {
    }

    public static List<String> backwardIncompatibilities(EventSchema previous, EventSchema next) {
        List<String> problems = new ArrayList<>();
        compareObjects(previous.root(), next.root(), "", problems);
        return problems;
    }

    private static void compareObjects(ObjectType previous, ObjectType next, String pointer, List<String> problems) {
        Map<String, Field> nextByName = next.fields().stream().collect(Collectors.toMap(Field::name, Function.identity()));
        Map<String, Field> previousByName = previous.fields().stream().collect(Collectors.toMap(Field::name, Function.identity()));
        for (Field old : previous.fields()) {
            String p = pointer + "/properties/" + old.name();
            Field now = nextByName.get(old.name());
            if (now == null) {
                problems.add(p + ": property '" + old.name() + "' was removed");
                continue;
            }
            if (!old.required() && now.required()) {
                problems.add(p + ": optional property '" + old.name() + "' became required");
            }
            if (old.nullable() && !now.nullable()) {
                problems.add(p + ": property '" + old.name() + "' no longer accepts null");
            }
            compareTypes(old.type(), now.type(), p, problems);
        }
        for (Field added : next.fields()) {
            if (!previousByName.containsKey(added.name()) && added.required()) {
                problems.add(pointer + "/properties/" + added.name() + ": new property '" + added.name()
                        + "' is required; new properties must be optional");
            }
        }
        if (!previous.closed() && next.closed()) {
            problems.add((pointer.isEmpty() ? "/" : pointer) + "additionalProperties: became false");
        }
    }

    /** The promotions Iceberg applies in place: int to long, float to double. */
    static boolean isWidening(FieldType.Kind from, FieldType.Kind to) {
        return (from == FieldType.Kind.INT32 && to == FieldType.Kind.INTEGER)
                || (from == FieldType.Kind.FLOAT && to == FieldType.Kind.NUMBER);
    }

    private static void compareTypes(FieldType old, FieldType now, String pointer, List<String> problems) {
        if (old instanceof ObjectType o && now instanceof ObjectType n) {
            compareObjects(o, n, pointer, problems);
        } else if (old instanceof ArrayType o && now instanceof ArrayType n) {
            ConstraintChanges.compare(o.constraints(), n.constraints(), pointer, problems);
            compareTypes(o.items(), n.items(), pointer + "/items", problems);
        } else if (old instanceof Scalar o && now instanceof Scalar n && (o.kind() == n.kind() || isWidening(o.kind(), n.kind()))) {
            if (!n.allowed().isEmpty() && !n.allowed().containsAll(o.allowed().isEmpty() ? List.of("*") : o.allowed())) {
                problems.add(pointer + ": enum values were removed or added to an unrestricted field (" + o.allowed() + " -> " + n.allowed() + ")");
            }
            ConstraintChanges.compare(o.constraints(), n.constraints(), pointer, problems);
        } else {
            problems.add(pointer + ": type changed from " + old.display() + " to " + now.display());
        }
    }
}
