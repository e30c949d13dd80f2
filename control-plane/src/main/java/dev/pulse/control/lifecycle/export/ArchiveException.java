package dev.pulse.control.lifecycle.export;

import dev.pulse.control.ControlException;

/** An archive that cannot be written or read as asked: a bad target, a tampered or foreign archive. */
public final class ArchiveException extends ControlException {
    ArchiveException(String code, String detail) {
        super(Kind.INVALID, code, detail);
    }

    ArchiveException(String code, String detail, Throwable cause) {
        super(Kind.INVALID, code, detail, cause);
    }
}
