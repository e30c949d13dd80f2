package dev.pulse.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The envelope's instant reader answers exactly as {@link Instant#parse} does, faster for the layout the API writes. */
class InstantTextTest {
    @Property(tries = 2000)
    void readsWhatInstantToStringWritesAsInstantParseDoes(@ForAll("instants") Instant instant) {
        String text = instant.toString();
        assertThat(InstantText.parse(text)).isEqualTo(Instant.parse(text));
    }

    @Provide
    Arbitrary<Instant> instants() {
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(m -> m * 1_000_000),
                Arbitraries.integers().between(0, 999_999).map(u -> u * 1_000), Arbitraries.integers().between(0, 999_999_999));
        return net.jqwik.api.Combinators.combine(Arbitraries.longs().between(min, max), nanos).as(Instant::ofEpochSecond);
    }

    @Property(tries = 2000)
    void anyOtherTextGetsInstantParsesAnswer(@ForAll("mutated") String text) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeParseException e) {
            assertThatThrownBy(() -> InstantText.parse(text)).isInstanceOf(DateTimeParseException.class);
            return;
        }
        assertThat(InstantText.parse(text)).isEqualTo(expected);
    }

    /** Valid instants with one character replaced, removed or added. */
    @Provide
    Arbitrary<String> mutated() {
        Arbitrary<String> valid = instants().map(Instant::toString);
        Arbitrary<Character> chars = Arbitraries.of('0', '9', '1', '3', '-', ':', '.', 'T', 'Z', 'z', 't', '+', ' ', 'x');
        return net.jqwik.api.Combinators.combine(valid, Arbitraries.integers().between(0, 40), chars, Arbitraries.integers().between(0, 2))
                .as((s, at, c, how) -> {
                    int i = Math.min(at, s.length() - 1);
                    return switch (how) {
                        case 0 -> s.substring(0, i) + c + s.substring(i + 1);
                        case 1 -> s.substring(0, i) + s.substring(i + 1);
                        default -> s.substring(0, i) + c + s.substring(i);
                    };
                });
    }

    @Test
    void edgesOfTheCalendarAndOfTheLayout() {
        for (String text : new String[] {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2024-02-29T12:00:00Z",
                "2026-12-02T12:00:00.1Z", "1970-01-01T00:00:00.000001Z", "1969-12-31T23:59:59.999Z"}) {
            assertThat(InstantText.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
        for (String text : new String[] {"2023-02-29T12:00:00Z", "2026-13-01T00:00:00Z", "2026-12-02T24:00:00Z", "2026-12-02T23:59:60Z",
                "2026-12-02T12:00:00.Z", "2026-12-02T12:00:00.1234567890Z", "2026-12-02 12:00:00Z", "2026-12-02T12:00:00+01:00", ""}) {
            anyOtherTextGetsInstantParsesAnswer(text);
        }
    }
}
