package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What readiness says about a schema of another version: which way it differs decides the advice. */
class SchemaStatusTest {
    @Test
    void anOlderSchemaAsksForMigrateAndANewerOneForAnUpgradedWorker() {
        assertThat(new ExecutionStore.SchemaStatus(9, 10).mismatch())
                .isEqualTo("migrations missing: schema version 9, this build needs 10 (run `nebula-worker migrate`)");
        assertThat(new ExecutionStore.SchemaStatus(11, 10).mismatch())
                .isEqualTo("schema version 11 is newer than this build's 10 (upgrade nebula-worker)");
        assertThat(new ExecutionStore.SchemaStatus(10, 10).upToDate()).isTrue();
    }
}
