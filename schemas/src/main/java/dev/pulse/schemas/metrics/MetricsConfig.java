package dev.pulse.schemas.metrics;

import dev.pulse.schemas.config.ConfigException;
import dev.pulse.schemas.config.PulseKeys;
import dev.pulse.schemas.config.Settings;
import java.util.ArrayList;
import java.util.List;

/**
 * What every service's {@code GET /metrics} reads at start-up: the credentials a scraper may send
 * ({@code PULSE_METRICS_TOKEN} and the operator token, whichever are set) and how many tenants get
 * a label of their own ({@code PULSE_METRICS_TENANT_LABELS}).
 *
 * @param scrapeTokens the bearer tokens {@link ScrapeAccess} accepts; empty: every scrape is refused
 */
public record MetricsConfig(List<String> scrapeTokens, int tenantLabelCap) {
    public MetricsConfig {
        scrapeTokens = List.copyOf(scrapeTokens);
        if (tenantLabelCap < 0) {
            throw new ConfigException(PulseKeys.METRICS_TENANT_LABELS + "=" + tenantLabelCap + " is negative");
        }
    }

    public static MetricsConfig from(Settings settings) {
        List<String> tokens = new ArrayList<>();
        String metricsToken = settings.get(PulseKeys.METRICS_TOKEN);
        if (!metricsToken.isEmpty()) {
            tokens.add(metricsToken);
        }
        // The operator token is read only where it is set: the worker and lake-query need none otherwise.
        if (settings.optional(PulseKeys.OPERATOR_TOKEN.name()).isPresent()) {
            tokens.add(settings.get(PulseKeys.OPERATOR_TOKEN));
        }
        return new MetricsConfig(tokens, settings.get(PulseKeys.METRICS_TENANT_LABELS));
    }
}
