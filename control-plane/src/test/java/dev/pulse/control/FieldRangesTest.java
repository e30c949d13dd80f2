package dev.pulse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pulse.control.keys.GracePeriod;
import dev.pulse.control.keys.KeyExpiry;
import dev.pulse.schemas.event.EventTimeRange;
import dev.pulse.schemas.testing.HostileInput;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The documented field ranges of the control plane and the event time, one check per field type. */
class FieldRangesTest {
    static final Instant NOW = Instant.parse("2026-12-02T00:00:00Z");

    @Test
    void aKeyNameWithNulControlCharactersOrUnpairedSurrogatesIsRefusedNamingTheField() {
        for (String bad : new String[] {"a\u0000b", "line\nbreak", "\u001b[31m", "\u0085", "x\u2028", "\ud800", "a\udc00"}) {
            assertThatThrownBy(() -> DisplayNames.orDefault("name", bad, "key"))
                    .isInstanceOfSatisfying(InvalidFieldException.class, e -> {
                        assertThat(e.field()).isEqualTo("name");
                        assertThat(e.code()).isEqualTo("invalid-name");
                    });
        }
    }

    @Test
    void aNameIsBoundedInCodePointsAndKeptAsSent() {
        assertThat(DisplayNames.orDefault("name", "é".repeat(200), "key")).isEqualTo("é".repeat(200));
        assertThat(DisplayNames.orDefault("name", "\ud83d\ude00".repeat(200), "key")).hasSize(400);
        assertThat(DisplayNames.orDefault("name", " ", "key")).isEqualTo("key");
        assertThat(DisplayNames.orDefault("name", null, "key")).isEqualTo("key");
        assertThat(DisplayNames.orDefault("name", "  padded  ", "key")).isEqualTo("  padded  ");
        assertThatThrownBy(() -> DisplayNames.orDefault("name", "a".repeat(201), "key"))
                .isInstanceOf(InvalidFieldException.class).hasMessageContaining("201").hasMessageContaining("200");
        assertThatThrownBy(() -> DisplayNames.orDefault("name", "a".repeat(100_000), "key")).isInstanceOf(InvalidFieldException.class);
    }

    @Test
    void expiryMustBeInTheFutureAndWithinTenYears() {
        assertThat(KeyExpiry.require(null, NOW)).isNull();
        assertThat(KeyExpiry.require(NOW.plusSeconds(1), NOW)).isEqualTo(NOW.plusSeconds(1));
        assertThat(KeyExpiry.require(NOW.plus(Duration.ofDays(3650)), NOW)).isNotNull();
        Instant farFuture = OffsetDateTime.parse("+999999999-12-31T23:59:59Z").toInstant();
        for (Instant bad : new Instant[] {NOW, NOW.minusSeconds(1), NOW.plus(Duration.ofDays(3650)).plusSeconds(1), farFuture, Instant.MIN}) {
            assertThatThrownBy(() -> KeyExpiry.require(bad, NOW))
                    .isInstanceOfSatisfying(InvalidFieldException.class, e -> assertThat(e.field()).isEqualTo("expires_at"));
        }
    }

    @Test
    void graceIsZeroToSevenDays() {
        assertThat(GracePeriod.require(0)).isZero();
        assertThat(GracePeriod.require(604_800)).isEqualTo(604_800);
        assertThatThrownBy(() -> GracePeriod.require(604_801)).isInstanceOf(InvalidFieldException.class);
        assertThatThrownBy(() -> GracePeriod.require(-1)).isInstanceOf(InvalidFieldException.class);
    }

    @Test
    void eventTimeCoversYearsOneToNineThousandNineHundredNinetyNineAtMicroseconds() {
        assertThat(EventTimeRange.contains(Instant.parse("0001-01-01T00:00:00Z"))).isTrue();
        assertThat(EventTimeRange.contains(Instant.parse("9999-12-31T23:59:59.999999Z"))).isTrue();
        assertThat(EventTimeRange.contains(Instant.parse("9999-12-31T23:59:59.9999991Z"))).isFalse();
        assertThat(EventTimeRange.contains(Instant.parse("0000-12-31T23:59:59.999999Z"))).isFalse();
        assertThat(EventTimeRange.contains(OffsetDateTime.parse("+292278994-08-17T07:12:55Z").toInstant())).isFalse();
        // truncated, never rounded into another second
        assertThat(EventTimeRange.toStoredPrecision(Instant.parse("1677-09-21T00:12:43.145224191Z")))
                .isEqualTo(Instant.parse("1677-09-21T00:12:43.145224Z"));
        assertThat(EventTimeRange.toStoredPrecision(Instant.parse("2026-12-31T23:59:59.9999999Z")))
                .isEqualTo(Instant.parse("2026-12-31T23:59:59.999999Z"));
    }

    @Property(tries = 500)
    void anyTextIsEitherAValidNameOrRefusedNamingTheField(@ForAll("texts") String text) {
        try {
            String name = DisplayNames.orDefault("name", text, "key");
            assertThat(name.codePointCount(0, name.length())).isBetween(1, DisplayNames.MAX_LENGTH);
            assertThat(FieldText.problem(name)).isNull();
        } catch (InvalidFieldException e) {
            assertThat(e.field()).isEqualTo("name");
        }
    }

    @Property(tries = 500)
    void aQuotedValueIsShortAndHoldsNoControlCharacterNorLoneSurrogate(@ForAll("texts") String text) {
        String quoted = FieldText.quote(text);
        assertThat(quoted.length()).isLessThan(64 * 6 + 40);
        assertThat(FieldText.problem(quoted)).isNull();
    }

    @Provide
    Arbitrary<String> texts() {
        return HostileInput.hostileText();
    }
}
