package dev.pulse.control.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void aGeneratedKeyParsesAndMatchesOnlyItsOwnHash() {
        ApiKeys.NewKey key = ApiKeys.generate();
        assertThat(key.token()).startsWith("pulse_" + key.keyId() + "_");
        ApiKeys.PresentedKey presented = ApiKeys.parse(key.token()).orElseThrow();
        assertThat(presented.keyId()).isEqualTo(key.keyId());
        assertThat(presented.matches(key.secretHash())).isTrue();
        assertThat(presented.matches(ApiKeys.generate().secretHash())).isFalse();
    }

    @Test
    void aPrefixOrATamperedKeyDoesNotParseOrMatch() {
        ApiKeys.NewKey key = ApiKeys.generate();
        assertThat(ApiKeys.parse(key.token().substring(0, 30))).isEmpty();
        assertThat(ApiKeys.parse("pulse_" + key.keyId())).isEmpty();
        assertThat(ApiKeys.parse(key.token() + "x")).isEmpty();
        String tampered = key.token().substring(0, key.token().length() - 1) + (key.token().endsWith("a") ? "b" : "a");
        assertThat(ApiKeys.parse(tampered).orElseThrow().matches(key.secretHash())).isFalse();
    }

    @Test
    void scopesParseStrictly() {
        assertThat(Scope.parseList("ingest,query")).containsExactlyInAnyOrder(Scope.INGEST, Scope.QUERY);
        assertThatThrownBy(() -> Scope.parseList("ingest,admin")).hasMessageContaining("'admin'");
    }
}
