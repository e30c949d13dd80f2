package dev.pulse.edge;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own refusals (a request line or URI it will not route, e.g. {@code %00} in a path,
 * a header too large) as problem documents too, instead of Jetty's HTML page; type
 * {@code http-<status>}.
 */
final class JettyProblems extends ErrorHandler {
    static byte[] body(int status, String message) {
        String detail = status + " " + (message == null || message.isBlank() ? Problem.titleFor(status) : message)
                + ": the server could not read this request (its request line, URI or headers)";
        return Json.bytes(Problem.of(status, "http-" + status, Problem.titleFor(status), detail));
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        return ByteBuffer.wrap(body(status, reason));
    }
}
