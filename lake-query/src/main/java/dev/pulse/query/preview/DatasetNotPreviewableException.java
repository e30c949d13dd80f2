package dev.pulse.query.preview;

import dev.pulse.query.QueryException;

/** The table is in a state a preview cannot read faithfully (delete files, a non-Parquet file). */
public class DatasetNotPreviewableException extends QueryException {
    public DatasetNotPreviewableException(String message) {
        super(message);
    }
}
