package dev.pulse.schemas.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Finding a per-row function call in policy expressions as PostgreSQL deparses them. */
class SplinterRulesTest {
    @Test
    void aCallInsideASubSelectIsWrapped() {
        assertThat(SplinterRules.unwrappedCall("(tenant_id = ( SELECT pulse.current_tenant_id() AS current_tenant_id))")).isNull();
        assertThat(SplinterRules.unwrappedCall("(tenant_id = ( SELECT current_tenant_id() AS current_tenant_id))")).isNull();
        assertThat(SplinterRules.unwrappedCall("(COALESCE(( SELECT f(x.y) AS f), tenant_id) = tenant_id)")).isNull();
    }

    @Test
    void aCallOutsideEverySubSelectIsFound() {
        assertThat(SplinterRules.unwrappedCall("(tenant_id = pulse.current_tenant_id())")).isEqualTo("pulse.current_tenant_id");
        assertThat(SplinterRules.unwrappedCall("((tenant_id = ( SELECT pulse.current_tenant_id() AS current_tenant_id)) AND "
                + "(current_setting('app.flag'::text, true) = 'on'::text))")).isEqualTo("current_setting");
    }

    @Test
    void keywordsAndTypeModifiersAreNotCalls() {
        assertThat(SplinterRules.unwrappedCall("(tenant_id = ANY (ARRAY[( SELECT g() AS g)]))")).isNull();
        assertThat(SplinterRules.unwrappedCall("((amount)::numeric(10,2) > (0)::numeric)")).isNull();
        assertThat(SplinterRules.unwrappedCall("(EXISTS ( SELECT 1 FROM t WHERE (t.id = x)))")).isNull();
        assertThat(SplinterRules.unwrappedCall(null)).isNull();
        assertThat(SplinterRules.unwrappedCall("true")).isNull();
    }
}
