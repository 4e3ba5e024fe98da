package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.launch.ChildJvm;
import io.nebula.worker.queue.sqlite.SqliteExecutionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many claimers on one database: no execution is ever held by two claimers at once, and none is
 * lost. Four threads with their own connections pools on PostgreSQL; two processes on one SQLite
 * file (the second is a separate JVM running {@link ClaimerMain}).
 */
class ClaimConcurrencyTest {
    static final int EXECUTIONS = 10_000;
    static final WorkflowDocument WF = new WorkflowDocument("cc", "claim-concurrency", "{}");

    @TempDir
    Path tmp;

    @Test
    void fourThreadsOnPostgresClaimEachExecutionOnce() throws Exception {
        PostgresTestDatabase.require();
        String schema = PostgresTestDatabase.newSchema();
        List<ExecutionStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                stores.add(PostgresTestDatabase.open(
                        schema, StoreOptions.defaults("claimer-" + i).withMaxConnections(2)));
            }
            stores.get(0).migrate();
            fill(stores.get(0));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<List<Long>>> claims = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ExecutionStore s = stores.get(i);
                String worker = "claimer-" + i;
                claims.add(pool.submit((Callable<List<Long>>) () -> ClaimerMain.drain(s, worker, 37)));
            }
            Map<Long, Integer> seen = new HashMap<>();
            for (Future<List<Long>> f : claims) {
                List<Long> mine = f.get(5, TimeUnit.MINUTES);
                assertThat(mine).as("every claimer did work").isNotEmpty();
                mine.forEach(id -> seen.merge(id, 1, Integer::sum));
            }
            pool.shutdown();
            assertThat(seen).hasSize(EXECUTIONS);
            assertThat(seen.values()).allMatch(n -> n == 1);
            assertAllSucceeded(stores.get(0));
        } finally {
            stores.forEach(ExecutionStore::close);
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void fourThreadsOnPostgresNeverRunMoreOfALimitedQueueThanItsLimit() throws Exception {
        PostgresTestDatabase.require();
        String schema = PostgresTestDatabase.newSchema();
        int executions = 600;
        int limit = 3;
        List<ExecutionStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                stores.add(PostgresTestDatabase.open(
                        schema, StoreOptions.defaults("limited-" + i).withMaxConnections(2)));
            }
            ExecutionStore first = stores.get(0);
            first.migrate();
            first.workflowPut(WF);
            List<SubmitRequest> batch = new ArrayList<>();
            for (int j = 0; j < executions; j++) {
                batch.add(SubmitRequest.now("limited", WF.hash(), WF.name(), "{}", 1));
            }
            first.executionSubmitMany(batch);
            first.queueLimit("limited", limit);
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger mostRunning = new java.util.concurrent.atomic.AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Integer>> claimers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ExecutionStore s = stores.get(i);
                String worker = "limited-" + i;
                claimers.add(pool.submit(() -> {
                    int claims = 0;
                    try (java.sql.Connection c = PostgresTestDatabase.connect();
                            java.sql.PreparedStatement running = c.prepareStatement("SELECT count(*) FROM \"" + schema
                                    + "\".executions WHERE queue = 'limited' AND state = 'running'")) {
                        while (done.get() < executions) {
                            List<ClaimedExecution> got = s.executionClaim(
                                    new ClaimRequest(worker, List.of("limited"), 5, Duration.ofMinutes(5)));
                            if (got.isEmpty()) {
                                continue;
                            }
                            claims++;
                            try (java.sql.ResultSet rs = running.executeQuery()) {
                                rs.next();
                                mostRunning.accumulateAndGet(rs.getInt(1), Math::max);
                            }
                            List<Completion> ends = new ArrayList<>();
                            for (ClaimedExecution e : got) {
                                ends.add(Completions.succeed(e.lease(), "1", List.of()));
                            }
                            s.executionCompleteMany(ends);
                            done.addAndGet(got.size());
                        }
                    }
                    return claims;
                }));
            }
            int claims = 0;
            for (Future<Integer> f : claimers) {
                claims += f.get(5, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertThat(claims).as("claims that took executions").isGreaterThanOrEqualTo(executions / limit);
            assertThat(mostRunning.get())
                    .as("the most running at once, seen by the database")
                    .isBetween(1, limit);
            QueueStats q = first.queueStats(1_000_000).get(0);
            assertThat(q.count(ExecutionState.SUCCEEDED)).isEqualTo(executions);
        } finally {
            stores.forEach(ExecutionStore::close);
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    @Tag("process")
    void twoProcessesOnOneSqliteFileClaimEachExecutionOnce() throws Exception {
        Path db = tmp.resolve("shared.db");
        Path theirs = tmp.resolve("claimed-by-child.txt");
        try (ExecutionStore store = SqliteExecutionStore.open(db, StoreOptions.defaults("parent"))) {
            store.migrate();
            fill(store);
            Process child = new ProcessBuilder(ChildJvm.small()
                            .command(ClaimerMain.class.getName(), List.of(db.toString(), "child", theirs.toString())))
                    .redirectError(tmp.resolve("child.log").toFile())
                    .start();
            // Start together: the child says "ready" once its store is open, then waits for "go".
            try (var childOut = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()));
                    var childIn = new java.io.PrintWriter(child.getOutputStream(), true)) {
                assertThat(childOut.readLine()).isEqualTo("ready");
                childIn.println("go");
            }
            List<Long> mine = ClaimerMain.drain(store, "parent", 23);
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(child.exitValue())
                    .as(Files.readString(tmp.resolve("child.log")))
                    .isZero();
            List<Long> child_ = readIds(theirs);

            assertThat(mine).as("parent did work").isNotEmpty();
            assertThat(child_).as("child did work").isNotEmpty();
            Map<Long, Integer> seen = new HashMap<>();
            mine.forEach(id -> seen.merge(id, 1, Integer::sum));
            child_.forEach(id -> seen.merge(id, 1, Integer::sum));
            assertThat(seen).hasSize(EXECUTIONS);
            assertThat(seen.values()).allMatch(n -> n == 1);
            assertAllSucceeded(store);
        }
    }

    private static void fill(ExecutionStore s) {
        s.workflowPut(WF);
        for (int i = 0; i < EXECUTIONS; i += 1000) {
            List<SubmitRequest> batch = new ArrayList<>();
            for (int j = 0; j < 1000; j++) {
                batch.add(SubmitRequest.now("default", WF.hash(), WF.name(), "{}", 1));
            }
            s.executionSubmitMany(batch);
        }
    }

    private static void assertAllSucceeded(ExecutionStore s) {
        QueueStats q = s.queueStats(1_000_000).get(0);
        assertThat(q.count(ExecutionState.SUCCEEDED)).isEqualTo(EXECUTIONS);
        assertThat(q.count(ExecutionState.AVAILABLE) + q.count(ExecutionState.RUNNING))
                .isZero();
    }

    private static List<Long> readIds(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .filter(l -> !l.isBlank())
                .map(Long::parseLong)
                .toList();
    }

    /** Drains a queue in a second JVM and writes the ids it claimed, one per line. */
    public static final class ClaimerMain {
        public static void main(String[] args) throws Exception {
            try (ExecutionStore s = SqliteExecutionStore.open(Path.of(args[0]), StoreOptions.defaults(args[1]))) {
                s.schemaStatus();
                System.out.println("ready");
                System.out.flush();
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
                List<Long> ids = drain(s, args[1], 29);
                Files.writeString(
                        Path.of(args[2]),
                        String.join("\n", ids.stream().map(String::valueOf).toList()));
            }
        }

        /** Claims and completes until the queue is empty; returns the ids it claimed. */
        static List<Long> drain(ExecutionStore s, String worker, int batch) {
            List<Long> mine = new ArrayList<>();
            int empty = 0;
            while (empty < 3) {
                List<ClaimedExecution> c =
                        s.executionClaim(new ClaimRequest(worker, List.of("default"), batch, Duration.ofMinutes(5)));
                if (c.isEmpty()) {
                    empty++;
                    continue;
                }
                empty = 0;
                // Stands in for running the batch. It also lets the other process take SQLite's write
                // lock between claims: the lock is not fair, and a process that claims and completes
                // back to back could otherwise keep it until the queue is empty.
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                List<Completion> done = new ArrayList<>();
                for (ClaimedExecution e : c) {
                    mine.add(e.id());
                    done.add(Completions.succeed(e.lease(), "\"" + worker + "\"", List.of()));
                }
                List<CompletionResult> r = s.executionCompleteMany(done);
                if (!r.stream().allMatch(CompletionResult::applied)) {
                    throw new IllegalStateException("a fresh lease was refused: " + r);
                }
            }
            return mine;
        }
    }
}
