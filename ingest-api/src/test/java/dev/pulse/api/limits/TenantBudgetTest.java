package dev.pulse.api.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The token buckets of one tenant on one replica, with the clock in the test's hands. */
class TenantBudgetTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void aRequestIsAdmittedWholeOrRefusedWholeAndARefusalTakesNothing() {
        TenantBudget budget = new TenantBudget(new Rates(10, 1_000), 10, 1, 0);
        assertThat(budget.admit(60, 100, 0).admitted()).isTrue();
        AdmissionResult refused = budget.admit(50, 100, 0);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.events().remaining()).isEqualTo(40);
        assertThat(refused.bytes().remaining()).isEqualTo(9_900);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        AdmissionResult admitted = budget.admit(40, 100, 0);
        assertThat(admitted.admitted()).isTrue();
        assertThat(admitted.events().remaining()).isZero();
    }

    @Test
    void whatARequestRefusedAfterItsAdmissionTookIsGivenBackUpToTheBurst() {
        TenantBudget budget = new TenantBudget(new Rates(10, 1_000), 10, 1, 0);
        assertThat(budget.admit(100, 10_000, 0).admitted()).isTrue();
        assertThat(budget.admit(1, 1, 0).admitted()).isFalse();
        budget.giveBack(100, 10_000, 0); // e.g. its dataset was unknown: 404, nothing produced
        AdmissionResult retried = budget.admit(100, 10_000, 0);
        assertThat(retried.admitted()).isTrue();
        budget.giveBack(100, 10_000, 0);
        budget.giveBack(100, 10_000, 0); // never above a full bucket
        assertThat(budget.admit(0, 0, 0).events().remaining()).isEqualTo(100);
        assertThat(budget.admit(0, 0, 0).bytes().remaining()).isEqualTo(10_000);
    }

    @Test
    void eitherBucketRefusesAndRetryAfterSaysWhenBothHoldTheRequest() {
        TenantBudget budget = new TenantBudget(new Rates(1_000, 100), 10, 1, 0);
        assertThat(budget.admit(1, 1_000, 0).admitted()).isTrue();
        AdmissionResult refused = budget.admit(1, 500, 0);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(5);
        assertThat(budget.admit(1, 500, 5 * SECOND).admitted()).isTrue();
    }

    @Test
    void theBucketsRefillAtTheRateUpToTheBurst() {
        TenantBudget budget = new TenantBudget(new Rates(10, 1_000), 10, 1, 0);
        assertThat(budget.admit(100, 0, 0).admitted()).isTrue();
        assertThat(budget.admit(1, 0, 0).admitted()).isFalse();
        assertThat(budget.admit(20, 0, 2 * SECOND).admitted()).isTrue();
        assertThat(budget.admit(1, 0, 1_000 * SECOND).events().remaining()).isEqualTo(99);
    }

    @Test
    void eachOfNReplicasHoldsOneNthOfTheRateAndTheBurst() {
        TenantBudget budget = new TenantBudget(new Rates(10, 1_000), 10, 2, 0);
        AdmissionResult result = budget.admit(0, 0, 0);
        assertThat(result.events().capacity()).isEqualTo(50);
        assertThat(result.bytes().capacity()).isEqualTo(5_000);
        assertThat(budget.admit(50, 0, 0).admitted()).isTrue();
        assertThat(budget.admit(6, 0, SECOND).admitted()).isFalse();
        assertThat(budget.admit(5, 0, SECOND).admitted()).isTrue();
    }

    @Test
    void aNewRateKeepsWhatTheBucketHoldsUpToTheNewBurst() {
        TenantBudget budget = new TenantBudget(new Rates(100, 1_000), 10, 1, 0);
        budget.admit(100, 0, 0);
        budget.reconfigure(new Rates(5, 1_000), 1, 0);
        assertThat(budget.admit(0, 0, 0).events().remaining()).isEqualTo(50);
        budget.reconfigure(new Rates(100, 1_000), 1, 0);
        assertThat(budget.admit(0, 0, 0).events().remaining()).isEqualTo(50);
    }

    @Test
    void theFieldsFollowTheDraftsStructuredSyntax() {
        TenantBudget budget = new TenantBudget(new Rates(10, 1_024), 10, 1, 0);
        Map<String, String> headers = RateLimitHeaders.of(budget.admit(30, 1_024, 0));
        assertThat(headers).containsEntry("RateLimit-Policy",
                "\"events\";q=100;qu=\"events\";w=10, \"bytes\";q=10240;qu=\"content-bytes\";w=10");
        assertThat(headers).containsEntry("RateLimit", "\"events\";r=70;t=3, \"bytes\";r=9216;t=1");
    }
}
