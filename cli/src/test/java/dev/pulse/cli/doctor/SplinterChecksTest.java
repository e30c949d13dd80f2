package dev.pulse.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Finding a per-row function call in policy expressions as PostgreSQL deparses them. */
class SplinterChecksTest {
    @Test
    void aCallInsideASubSelectIsWrapped() {
        assertThat(SplinterChecks.unwrappedCall("(tenant_id = ( SELECT pulse.current_tenant_id() AS current_tenant_id))")).isNull();
        assertThat(SplinterChecks.unwrappedCall("(tenant_id = ( SELECT current_tenant_id() AS current_tenant_id))")).isNull();
        assertThat(SplinterChecks.unwrappedCall("(COALESCE(( SELECT f(x.y) AS f), tenant_id) = tenant_id)")).isNull();
    }

    @Test
    void aCallOutsideEverySubSelectIsFound() {
        assertThat(SplinterChecks.unwrappedCall("(tenant_id = pulse.current_tenant_id())")).isEqualTo("pulse.current_tenant_id");
        assertThat(SplinterChecks.unwrappedCall("((tenant_id = ( SELECT pulse.current_tenant_id() AS current_tenant_id)) AND "
                + "(current_setting('app.flag'::text, true) = 'on'::text))")).isEqualTo("current_setting");
    }

    @Test
    void keywordsAndTypeModifiersAreNotCalls() {
        assertThat(SplinterChecks.unwrappedCall("(tenant_id = ANY (ARRAY[( SELECT g() AS g)]))")).isNull();
        assertThat(SplinterChecks.unwrappedCall("((amount)::numeric(10,2) > (0)::numeric)")).isNull();
        assertThat(SplinterChecks.unwrappedCall("(EXISTS ( SELECT 1 FROM t WHERE (t.id = x)))")).isNull();
        assertThat(SplinterChecks.unwrappedCall(null)).isNull();
        assertThat(SplinterChecks.unwrappedCall("true")).isNull();
    }
}
