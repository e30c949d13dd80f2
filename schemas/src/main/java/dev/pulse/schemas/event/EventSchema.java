package dev.pulse.schemas.event;

import dev.pulse.schemas.event.FieldType.Field;
import dev.pulse.schemas.event.FieldType.ObjectType;
import java.util.List;
import java.util.Set;

/**
 * A registered event schema after parsing: the top-level object with its fields. The envelope
 * columns ({@link #ENVELOPE_COLUMNS}) are Pulse's own and cannot be declared as properties.
 */
public record EventSchema(ObjectType root) {
    public static final String EVENT_ID = "event_id";
    public static final String EVENT_TIME = "event_time";
    public static final String RECEIVED_AT = "received_at";
    static final Set<String> ENVELOPE_COLUMNS = Set.of(EVENT_ID, EVENT_TIME, RECEIVED_AT);

    public List<Field> fields() {
        return root.fields();
    }
}
