package dev.pulse.schemas.config;

/**
 * Where an HTTP service listens: {@link PulseKeys#BIND_ADDRESS} and its own port key, which a
 * port that cannot be bound is reported against. ingest-api and lake-query each hold one.
 */
public record HttpListener(String bindAddress, int port, ConfigKey<Integer> portKey) {
    public static HttpListener from(Settings settings, ConfigKey<Integer> portKey) {
        return new HttpListener(settings.get(PulseKeys.BIND_ADDRESS), settings.get(portKey), portKey);
    }
}
