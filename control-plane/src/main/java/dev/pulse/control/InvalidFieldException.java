package dev.pulse.control;

/**
 * A control-plane request whose member {@link #field()} is outside its documented range, length
 * or character set (a 400 whose problem document names the field). The ranges are listed in the
 * README ("Field ranges") and in the OpenAPI document.
 */
public class InvalidFieldException extends ControlException {
    private final String field;

    public InvalidFieldException(String code, String field, String detail) {
        super(Kind.INVALID, code, detail);
        this.field = field;
    }

    /** The request member at fault, as the client spelled it (e.g. {@code expires_at}, {@code bucket.field}). */
    public String field() {
        return field;
    }
}
