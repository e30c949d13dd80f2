package dev.pulse.control.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pulse.schemas.event.FieldType.Constraints;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BACKWARD compatibility of validation keywords: a new version must accept every value the
 * previous one accepted, so it may drop or loosen a keyword (a smaller {@code minimum}, a larger
 * {@code maxLength}, no {@code pattern}) but not add or tighten one (a larger {@code minimum}, a
 * smaller {@code maxLength}, a new or changed {@code pattern} or {@code const}, a {@code multipleOf}
 * that the old one is not a multiple of, {@code uniqueItems} turned on). Whether one pattern
 * accepts everything another does is undecidable in general, so any change of pattern counts as
 * tightening; register with {@code NONE} when it is not.
 */
final class ConstraintChanges {
    private static final Set<String> LOWER_BOUNDS = Set.of("minimum", "exclusiveMinimum", "minLength", "minItems");
    private static final Set<String> UPPER_BOUNDS = Set.of("maximum", "exclusiveMaximum", "maxLength", "maxItems");

    private ConstraintChanges() {
    }

    static void compare(Constraints previous, Constraints next, String pointer, List<String> problems) {
        for (Map.Entry<String, JsonNode> entry : next.keywords().entrySet()) {
            String keyword = entry.getKey();
            JsonNode now = entry.getValue();
            JsonNode before = previous.keywords().get(keyword);
            if (tightens(keyword, before, now)) {
                problems.add(pointer + ": " + keyword + (before == null ? " " + now + " was added" : " went from " + before + " to " + now)
                        + ", which refuses values the previous version accepted");
            }
        }
    }

    private static boolean tightens(String keyword, JsonNode before, JsonNode now) {
        if (before == null) {
            return !(keyword.equals("uniqueItems") && !now.booleanValue());
        }
        if (LOWER_BOUNDS.contains(keyword)) {
            return now.decimalValue().compareTo(before.decimalValue()) > 0;
        }
        if (UPPER_BOUNDS.contains(keyword)) {
            return now.decimalValue().compareTo(before.decimalValue()) < 0;
        }
        return switch (keyword) {
            case "multipleOf" -> !isMultiple(before.decimalValue(), now.decimalValue());
            case "uniqueItems" -> now.booleanValue() && !before.booleanValue();
            default -> !now.equals(before); // pattern, const
        };
    }

    /** Whether every multiple of {@code old} is a multiple of {@code divisor}. */
    private static boolean isMultiple(BigDecimal old, BigDecimal divisor) {
        return old.remainder(divisor).signum() == 0;
    }
}
