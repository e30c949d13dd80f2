package dev.pulse.control.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics tests' reader refuses what the Prometheus text format does not allow. */
class PrometheusTextTest {
    private static final String VALID = """
            # HELP req_seconds requests
            # TYPE req_seconds histogram
            req_seconds_bucket{route="/v1/events",le="0.1"} 1
            req_seconds_bucket{route="/v1/events",le="+Inf"} 2
            req_seconds_count{route="/v1/events"} 2
            req_seconds_sum{route="/v1/events"} 0.3
            # TYPE up gauge
            up{service="api",quote="a\\"b\\\\c\\nd"} 1 1700000000000
            other_total NaN
            """;

    @Test
    void aValidExpositionParsesWithItsLabelsAndValues() {
        PrometheusText text = PrometheusText.parse(VALID);
        assertThat(text.types()).containsEntry("req_seconds", "histogram").containsEntry("up", "gauge");
        assertThat(text.value("req_seconds_count", Map.of("route", "/v1/events"))).contains(2.0);
        assertThat(text.samples("up", Map.of()).getFirst().labels()).containsEntry("quote", "a\"b\\c\nd");
        assertThat(text.value("other_total", Map.of()).orElseThrow()).isNaN();
    }

    @Test
    void malformedLinesAreRefused() {
        for (String bad : new String[] {
            "1bad 1\n", "m{1a=\"x\"} 1\n", "m{a=x} 1\n", "m{a=\"x} 1\n", "m 1 2 3\n", "m one\n", "m{a=\"\\t\"} 1\n",
            "m 1", "# TYPE m wrong\n", "m 1\n# TYPE m gauge\n", "# TYPE m gauge\n# TYPE m gauge\n", "m{a=\"1\"} 1\nm{a=\"1\"} 2\n",
            "a 1\nb 1\na{x=\"1\"} 1\n", "m{a=\"1\",a=\"2\"} 1\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n",
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n"}) {
            assertThatThrownBy(() -> PrometheusText.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
