package dev.pulse.schemas.event;

import dev.pulse.schemas.PulseException;

/** A schema document outside the supported subset; names the keyword and its JSON pointer. */
public class SchemaDefinitionException extends PulseException {
    private final String pointer;

    public SchemaDefinitionException(String pointer, String message) {
        super((pointer.isEmpty() ? "at the schema root" : "at " + pointer) + ": " + message);
        this.pointer = pointer;
    }

    public String pointer() {
        return pointer;
    }
}
