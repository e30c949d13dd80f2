package dev.pulse.schemas.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written parser and formatter agree with the JDK's on every input. */
class Rfc3339Test {
    @Property(tries = 3000)
    void parsesExactlyWhatTheIsoFormatterParses(@ForAll("dateTimes") String text) {
        Instant expected;
        try {
            expected = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            expected = null;
        }
        Instant actual;
        try {
            actual = Rfc3339.parseInstant(text);
        } catch (DateTimeException e) {
            actual = null;
        }
        assertThat(actual).as(text).isEqualTo(expected);
    }

    @Property(tries = 3000)
    void formatsWhatInstantToStringWrites(@ForAll("instants") Instant instant) {
        assertThat(Rfc3339.format(instant)).isEqualTo(instant.toString());
    }

    @Provide
    Arbitrary<Instant> instants() {
        return Combinators.combine(Arbitraries.longs().between(-62_200_000_000L, 253_402_300_799L + 100_000),
                Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(m -> m * 1_000_000),
                        Arbitraries.integers().between(0, 999_999).map(u -> u * 1000), Arbitraries.integers().between(0, 999_999_999)))
                .as(Instant::ofEpochSecond);
    }

    @Provide
    Arbitrary<String> dateTimes() {
        Arbitrary<String> year = Arbitraries.oneOf(Arbitraries.integers().between(0, 9999).map(y -> String.format("%04d", y)),
                Arbitraries.of("+10000", "-0001", "999", "20a4"));
        Arbitrary<String> two = Arbitraries.oneOf(Arbitraries.integers().between(0, 61).map(n -> String.format("%02d", n)),
                Arbitraries.of("1", "x1", "001"));
        Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just("."),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(11).map(d -> "." + d));
        Arbitrary<String> offset = Arbitraries.oneOf(Arbitraries.of("Z", "z", "+00:00", "-00:00", "+18:00", "-18:00", "+18:01", "+05:30",
                "-12:45", "+0530", "+05:30:15", "", "+24:00", "+05:60"));
        Arbitrary<String> sep = Arbitraries.of("T", "T", "T", "t", " ");
        return Combinators.combine(year, two, two, sep, two, two, two, fraction).as((y, mo, d, t, h, mi, s, f) ->
                y + "-" + mo + "-" + d + t + h + ":" + mi + ":" + s + f)
                .flatMap(prefix -> offset.map(o -> prefix + o));
    }
}
