package dev.pulse.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The API's OpenAPI 3.1 document, kept by hand in {@code openapi.json} next to this class's resources. */
final class OpenApi {
    static final String RESOURCE = "/dev/pulse/api/openapi.json";

    private OpenApi() {
    }

    static byte[] document() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the ingest-api jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
