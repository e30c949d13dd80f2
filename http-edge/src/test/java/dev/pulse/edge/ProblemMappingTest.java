package dev.pulse.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pulse.schemas.tenancy.DatabaseException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Which PostgreSQL failures are a client's value (400/409 as a safety net) and which are the server's (500/503). */
class ProblemMappingTest {
    static DatabaseException failure(String sqlState) {
        return new DatabaseException("insert failed", new SQLException("refused", sqlState));
    }

    @Test
    void dataExceptionsAndConstraintViolationsAreTheClientsValue() {
        for (String state : new String[] {"22021", "22001", "22008", "22P02", "23514", "23502", "23505", "23503"}) {
            assertThat(ProblemMapping.isRefusedValue(failure(state))).as(state).isTrue();
        }
    }

    @Test
    void everythingElseIsNot() {
        for (String state : new String[] {"08006", "40001", "42501", "42P01", "53300", "57P01", "XX000"}) {
            assertThat(ProblemMapping.isRefusedValue(failure(state))).as(state).isFalse();
        }
        assertThat(ProblemMapping.isRefusedValue(new DatabaseException("x", new SQLException("no state")))).isFalse();
    }
}
