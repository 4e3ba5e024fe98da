package io.nebula.worker.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmitRejectedException;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.Workflows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A submit inside the caller's transaction is checked as a plain submit is: a sub-workflow named by
 * a hash the store does not hold, or sub-workflows by hash that would start more executions than a
 * workflow may, refuse it before anything is written. On a real SQLite file.
 */
class SubmitInTransactionTest {
    @TempDir
    Path dir;

    private ExecutionStore store;
    private WorkflowClient client;

    @BeforeEach
    void open() {
        store = SqliteExecutionStore.open(dir.resolve("q.db"), StoreOptions.defaults("test"));
        store.migrate();
        ActionRegistry actions = ActionRegistry.builder()
                .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(5)))
                .build();
        client = new WorkflowClient(store, new Workflows(actions, Limits.defaults()), 3);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Connection connection() throws Exception {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("q.db"));
        try (var st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
        }
        c.setAutoCommit(false);
        return c;
    }

    private LoadedWorkflow load(String name, String yaml) throws Exception {
        return client.load(Files.writeString(dir.resolve(name), yaml));
    }

    private List<Long> submitAndCommit(LoadedWorkflow w) throws Exception {
        try (Connection c = connection()) {
            try {
                List<Long> ids = client.submitInTransaction(c, w, List.of("{}"), SubmitOptions.defaults()).stream()
                        .map(s -> s.executionId())
                        .toList();
                c.commit();
                return ids;
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
            }
        }
    }

    @Test
    void aWorkflowRunByAHashTheStoreDoesNotHoldIsRefusedAndNothingIsWritten() throws Exception {
        LoadedWorkflow orphan = load("orphan.yaml", """
                name: orphan
                nodes:
                  - id: c
                    workflow: "%s"
                """.formatted("0".repeat(64)));

        assertThatThrownBy(() -> submitAndCommit(orphan))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("node 'c' of 'orphan' runs workflow " + "0".repeat(64) + ", which is not stored");
        assertThat(store.workflowGet(orphan.hash())).isEmpty();
        assertThat(store.executionList(ExecutionFilter.all(10))).isEmpty();
    }

    @Test
    void subWorkflowsRunByHashCountTowardsTheLimitOfExecutionsStarted() throws Exception {
        Files.writeString(dir.resolve("leaf.yaml"), """
                name: leaf
                nodes:
                  - id: a
                    action: noop
                """);
        LoadedWorkflow fan = load("fan.yaml", """
                name: fan
                nodes:
                  - id: each
                    workflow: leaf.yaml
                    map: { items: "${{ input.items }}", max_items: 10000 }
                """);
        client.storeDefinitions(fan);
        LoadedWorkflow wide = load("wide.yaml", """
                name: wide
                nodes:
                  - id: each
                    workflow: "%s"
                    map: { items: "${{ input.items }}", max_items: 10000 }
                """.formatted(fan.hash()));
        LoadedWorkflow one = load("one.yaml", """
                name: one
                nodes:
                  - id: all
                    workflow: "%s"
                """.formatted(fan.hash()));
        LoadedWorkflow small = load("small.yaml", """
                name: small
                nodes:
                  - id: each
                    workflow: "%s"
                    map: { items: [1, 2, 3] }
                """.formatted(
                        store.workflowFind("leaf", "").getFirst().hash()));

        for (LoadedWorkflow refused : List.of(wide, one)) {
            assertThatThrownBy(() -> submitAndCommit(refused))
                    .as(refused.name())
                    .isInstanceOf(SubmitRejectedException.class)
                    .hasMessageContaining("could start more than 10000 executions");
            assertThat(store.workflowGet(refused.hash())).isEmpty();
        }
        assertThat(store.executionList(ExecutionFilter.all(10))).isEmpty();

        List<Long> ids = submitAndCommit(small);
        assertThat(ids).hasSize(1);
        assertThat(store.executionGet(ids.get(0))).isPresent();
    }
}
