package dev.pulse.schemas.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScrapeAccessTest {
    private static final String SCRAPE = "scrape-token-0123456789abcdef";
    private static final String OPERATOR = "operator-token-0123456789abcdef";

    @Test
    void eitherConfiguredTokenIsAllowedAndAnythingElseIsRefused() {
        ScrapeAccess access = new ScrapeAccess(List.of(SCRAPE, OPERATOR));
        assertThat(access.check("Bearer " + SCRAPE)).isEqualTo(ScrapeAccess.Verdict.ALLOWED);
        assertThat(access.check("bearer " + OPERATOR)).isEqualTo(ScrapeAccess.Verdict.ALLOWED);
        assertThat(access.check("Bearer pulse_k1_secret")).isEqualTo(ScrapeAccess.Verdict.REFUSED);
        assertThat(access.check("Bearer " + SCRAPE.substring(1))).isEqualTo(ScrapeAccess.Verdict.REFUSED);
        assertThat(access.check("Bearer ")).isEqualTo(ScrapeAccess.Verdict.REFUSED);
        assertThat(access.check(null)).isEqualTo(ScrapeAccess.Verdict.MISSING);
        assertThat(access.check("Basic " + SCRAPE)).isEqualTo(ScrapeAccess.Verdict.MISSING);
    }

    @Test
    void withoutAnyTokenEveryScrapeIsRefused() {
        ScrapeAccess access = new ScrapeAccess(List.of());
        assertThat(access.configured()).isFalse();
        assertThat(access.check("Bearer ")).isEqualTo(ScrapeAccess.Verdict.REFUSED);
        assertThat(access.check("Bearer anything")).isEqualTo(ScrapeAccess.Verdict.REFUSED);
    }
}
