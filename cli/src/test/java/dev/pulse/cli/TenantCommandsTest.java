package dev.pulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TenantCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void showingATenantPrintsEachDatasetTheWorkerHoldsBackWithItsReason() throws Exception {
        String flowing = TenantCommands.describe(JSON.readTree("""
                {"id": "0b6f0c4e-0000-4000-8000-000000000001", "slug": "acme", "name": "Acme", "tier": "standard",
                 "status": "active", "created_at": "2026-03-01T10:00:00Z", "ingest": []}"""));
        assertThat(flowing).doesNotContain("ingest").hasLineCount(1);

        String paused = TenantCommands.describe(JSON.readTree("""
                {"id": "0b6f0c4e-0000-4000-8000-000000000001", "slug": "acme", "name": "Acme", "tier": "standard",
                 "status": "active", "created_at": "2026-03-01T10:00:00Z",
                 "ingest": [{"dataset": "clicks", "state": "paused", "reason": "NotFoundException: metadata file gone",
                             "failing_since": "2026-03-01T10:05:00Z", "failures": 4, "retry_at": "2026-03-01T10:06:00Z"}]}"""));
        assertThat(paused).contains("acme").contains("ingest paused: dataset clicks since 2026-03-01T10:05:00Z (4 failed tries, next at "
                + "2026-03-01T10:06:00Z): NotFoundException: metadata file gone");
    }
}
