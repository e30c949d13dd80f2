package dev.pulse.api.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Makes a refusal reach the client. When the server answers before it read the whole request
 * body (a 413, or a 401 in front of a large upload) and then closes the connection, the client,
 * still sending, gets a TCP reset and often never sees the answer. So before an error is
 * written, the rest of the body is read and discarded, up to a budget of {@code 4 × maxBodyBytes}
 * raw bytes (each read bounded by the server's idle timeout). A body that is larger still, or a
 * client that waits for {@code 100 Continue} we never sent, gets the answer with
 * {@code Connection: close} at once.
 */
public final class RequestDrain {
    /** Request attribute set once the handler started reading the body (so 100 Continue was sent). */
    static final String BODY_READ_STARTED = "pulse.body-read-started";
    private static final int BUFFER = 64 * 1024;

    private final long budgetBytes;

    public RequestDrain(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** {@code 4 × maxBodyBytes}: a client that sends twice or four times the limit still reads its 413. */
    public static RequestDrain forBodyLimit(int maxBodyBytes) {
        return new RequestDrain(4L * maxBodyBytes);
    }

    /** Reads what is left of the request body within the budget; asks to close the connection when some remains. */
    public void drain(Context ctx) {
        String expect = ctx.header("Expect");
        boolean awaitsContinue = expect != null && expect.toLowerCase(Locale.ROOT).contains("100-continue")
                && ctx.attribute(BODY_READ_STARTED) == null;
        if (awaitsContinue || ctx.req().getContentLengthLong() > budgetBytes) {
            ctx.header("Connection", "close");
            return;
        }
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[BUFFER];
            long left = budgetBytes;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    return;
                }
                left -= n;
            }
            ctx.header("Connection", "close");
        } catch (IOException | IllegalStateException e) {
            // The client went away or the body was read another way: nothing left to drain.
            ctx.header("Connection", "close");
        }
    }
}
