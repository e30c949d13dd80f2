package dev.pulse.api.http;

import dev.pulse.edge.BearerToken;
import dev.pulse.edge.ProblemException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Guards the operator endpoints with the operator token. Both sides are hashed before the
 * constant-time comparison so that neither the content nor the length of the token leaks.
 */
public final class OperatorAuth {
    private final byte[] expectedHash;

    public OperatorAuth(String operatorToken) {
        this.expectedHash = sha256(operatorToken);
    }

    public Handler guard(Handler handler) {
        return ctx -> {
            require(ctx);
            handler.handle(ctx);
        };
    }

    public void require(Context ctx) {
        String token = BearerToken.from(ctx.header("Authorization"))
                .orElseThrow(() -> ProblemException.missingCredential("send the operator token as 'Authorization: Bearer <token>'"));
        if (!MessageDigest.isEqual(sha256(token), expectedHash)) {
            throw ProblemException.invalidCredential("the operator token is not valid");
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
