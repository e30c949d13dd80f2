package dev.pulse.control.audit;

/**
 * Who makes a control-plane change, as the audit log records it: {@code operator},
 * {@code operator:<name>}, {@code key:<key id>}, or {@code system} for changes made from code
 * with no caller (test fixtures). Every change writes its audit entry inside its own transaction, so a
 * change and its entry commit together or not at all.
 */
public record Actor(String name) {
    public static final Actor SYSTEM = new Actor("system");

    public Actor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an actor needs a name");
        }
    }
}
