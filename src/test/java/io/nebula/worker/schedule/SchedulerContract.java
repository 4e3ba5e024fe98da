package io.nebula.worker.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.action.ActionRegistry;
import io.nebula.worker.action.builtin.BuiltinActions;
import io.nebula.worker.action.builtin.HttpActionOptions;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionFilter;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.testing.TestDatabase;
import io.nebula.worker.workflow.Limits;
import io.nebula.worker.workflow.Workflows;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler against a real store, driven by fixed instants ({@link Scheduler#runAt}) instead
 * of the clock: fire times across daylight-saving changes in two zones, catch-up after a
 * two-minute outage, pause and resume, overlap, and two schedulers racing. One subclass per store.
 */
public abstract class SchedulerContract {
    static final WorkflowDocument WORKFLOW = new WorkflowDocument("hash-s", "report", "{\"name\":\"report\"}");

    protected ExecutionStore store;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final WorkerListener recorder = new WorkerListener() {
        @Override
        public void scheduleFired(String schedule, Duration lag) {
            events.add("fired " + schedule + " lag=" + lag.toSeconds() + "s");
        }

        @Override
        public void scheduleSkipped(String schedule, String reason, long count) {
            events.add("skipped " + schedule + " " + reason + "=" + count);
        }
    };

    @TempDir
    Path tmp;

    private TestDatabase db;

    /** A fresh database for one test ({@link TestDatabase#postgres()} or a file under {@code dir}). */
    protected abstract TestDatabase newDatabase(Path dir);

    /** A second store on the same database (another worker process). */
    private ExecutionStore sameDatabase() {
        return db.open(StoreOptions.defaults("test-other"));
    }

    @BeforeEach
    void open() {
        db = newDatabase(tmp);
        store = db.open(StoreOptions.defaults("test"));
        store.migrate();
        store.workflowPut(WORKFLOW);
    }

    @AfterEach
    void close() {
        try {
            store.close();
        } finally {
            db.close();
        }
    }

    private Scheduler scheduler() {
        return new Scheduler(store, recorder);
    }

    private void create(String name, String cron, String zone, Instant from, Schedule.Overlap o, Schedule.CatchUp c) {
        CronSchedule parsed = CronSchedule.parse(cron, zone);
        assertThat(store.scheduleCreate(Schedule.define(
                        name,
                        WORKFLOW.hash(),
                        WORKFLOW.name(),
                        cron,
                        zone,
                        "{}",
                        "default",
                        1,
                        o,
                        c,
                        parsed.nextAfter(from))))
                .isTrue();
    }

    /** The fire times of the executions a schedule created, from their idempotency keys. */
    private List<Instant> fired(String name) {
        String prefix = "schedule:" + name + ":";
        return store.executionList(ExecutionFilter.all(1000)).stream()
                .map(ExecutionView::idempotencyKey)
                .filter(k -> k != null && k.startsWith(prefix))
                .map(k -> Instant.parse(k.substring(prefix.length())))
                .sorted()
                .toList();
    }

    private static List<Instant> times(String... iso) {
        return java.util.Arrays.stream(iso).map(Instant::parse).toList();
    }

    /** Runs the scheduler one second after each next fire time until {@code end}. */
    private void runUntil(Scheduler s, Instant end) {
        while (true) {
            Instant next = store.scheduleList().stream()
                    .filter(x -> !x.paused())
                    .map(Schedule::nextFireAt)
                    .min(Comparator.naturalOrder())
                    .orElseThrow();
            if (next.isAfter(end)) {
                return;
            }
            s.runAt(next.plusSeconds(1));
        }
    }

    @Test
    void firesAcrossDaylightSavingChangesInTwoZones() {
        Instant start = Instant.parse("2026-03-06T12:00:00Z");
        create("berlin", "30 2 * * *", "Europe/Berlin", start, Schedule.Overlap.ALLOW, Schedule.CatchUp.LATEST);
        create("new-york", "30 1 * * *", "America/New_York", start, Schedule.Overlap.ALLOW, Schedule.CatchUp.LATEST);
        Scheduler s = scheduler();

        runUntil(s, Instant.parse("2026-03-31T12:00:00Z"));
        assertThat(fired("berlin"))
                .as("02:30 does not exist on 29 March: it fires once, at 03:00 CEST")
                .containsSubsequence(times("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"))
                .hasSize(25);
        assertThat(fired("new-york"))
                .as("New York moves on 8 March: 01:30 EST, then 01:30 EDT")
                .containsSubsequence(times("2026-03-07T06:30:00Z", "2026-03-08T06:30:00Z", "2026-03-09T05:30:00Z"))
                .hasSize(25);

        // Autumn: the repeated hour fires once, the first time.
        store.scheduleDelete("berlin");
        store.scheduleDelete("new-york");
        Instant autumn = Instant.parse("2026-10-23T12:00:00Z");
        create("berlin-fall", "30 2 * * *", "Europe/Berlin", autumn, Schedule.Overlap.ALLOW, Schedule.CatchUp.LATEST);
        create("ny-fall", "30 1 * * *", "America/New_York", autumn, Schedule.Overlap.ALLOW, Schedule.CatchUp.LATEST);
        runUntil(s, Instant.parse("2026-11-03T12:00:00Z"));
        assertThat(fired("berlin-fall"))
                .containsSubsequence(times("2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"))
                .doesNotContain(Instant.parse("2026-10-25T01:30:00Z"))
                .hasSize(11);
        assertThat(fired("ny-fall"))
                .containsSubsequence(times("2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"))
                .doesNotContain(Instant.parse("2026-11-01T06:30:00Z"))
                .hasSize(11);
        assertThat(events).noneMatch(e -> e.startsWith("skipped"));
    }

    @Test
    void afterATwoMinuteOutageCatchUpFiresTheLatestTheLatestNOrNone() {
        Instant t = Instant.parse("2026-05-04T12:00:30Z");
        create("latest", "0 * * * * *", "UTC", t, Schedule.Overlap.ALLOW, Schedule.CatchUp.LATEST);
        create("two", "0 * * * * *", "UTC", t, Schedule.Overlap.ALLOW, new Schedule.CatchUp(2));
        create("none", "0 * * * * *", "UTC", t, Schedule.Overlap.ALLOW, Schedule.CatchUp.NONE);
        Scheduler s = scheduler();
        assertThat(s.runAt(t)).isZero();

        // No worker ran from 12:00:30 to 12:03:30: 12:01, 12:02 and 12:03 were missed.
        s.runAt(Instant.parse("2026-05-04T12:03:30Z"));

        assertThat(fired("latest")).containsExactlyElementsOf(times("2026-05-04T12:03:00Z"));
        assertThat(fired("two")).containsExactlyElementsOf(times("2026-05-04T12:02:00Z", "2026-05-04T12:03:00Z"));
        assertThat(fired("none")).isEmpty();
        assertThat(events)
                .contains(
                        "skipped latest missed=2",
                        "skipped two missed=1",
                        "skipped none missed=3",
                        "fired latest lag=30s",
                        "fired two lag=90s");
        for (String n : List.of("latest", "two", "none")) {
            assertThat(store.scheduleGet(n).orElseThrow().nextFireAt())
                    .isEqualTo(Instant.parse("2026-05-04T12:04:00Z"));
        }
        // Back to normal: each fire time fires once, a few seconds late at most.
        events.clear();
        s.runAt(Instant.parse("2026-05-04T12:04:02Z"));
        assertThat(fired("none")).containsExactlyElementsOf(times("2026-05-04T12:04:00Z"));
        assertThat(events).containsOnly("fired latest lag=2s", "fired two lag=2s", "fired none lag=2s");
    }

    @Test
    void aPausedScheduleDoesNotFireAndResumesFromNowWithoutCatchingUp() throws Exception {
        Instant t = Instant.parse("2026-05-04T12:00:00Z");
        create("every-10s", "*/10 * * * * *", "UTC", t, Schedule.Overlap.ALLOW, Schedule.CatchUp.LATEST);
        Scheduler s = scheduler();
        s.runAt(t.plusSeconds(11));
        Schedules schedules = new Schedules(
                store,
                new Workflows(
                        ActionRegistry.builder()
                                .registerAll(BuiltinActions.create(HttpActionOptions.defaults(), Duration.ofSeconds(1)))
                                .build(),
                        Limits.defaults()),
                "default",
                0,
                1 << 20);

        assertThat(schedules.pause("every-10s")).isTrue();
        for (int i = 2; i <= 10; i++) {
            s.runAt(t.plusSeconds(10L * i + 1));
        }
        assertThat(fired("every-10s")).containsExactlyElementsOf(times("2026-05-04T12:00:10Z"));

        assertThat(schedules.resume("every-10s", t.plusSeconds(105))).isTrue();
        assertThat(store.scheduleGet("every-10s").orElseThrow().nextFireAt()).isEqualTo(t.plusSeconds(110));
        s.runAt(t.plusSeconds(111));
        assertThat(fired("every-10s")).containsExactlyElementsOf(times("2026-05-04T12:00:10Z", "2026-05-04T12:01:50Z"));
        assertThat(events).noneMatch(e -> e.startsWith("skipped"));
        assertThat(schedules.pause("nope")).isFalse();
        assertThat(schedules.resume("nope")).isFalse();
    }

    @Test
    void overlapSkipWaitsForThePreviousExecutionToFinish() {
        Instant t = Instant.parse("2026-05-04T12:00:00Z");
        create("exclusive", "*/10 * * * * *", "UTC", t, Schedule.Overlap.SKIP, Schedule.CatchUp.LATEST);
        Scheduler s = scheduler();
        s.runAt(t.plusSeconds(10));
        List<ClaimedExecution> c =
                store.executionClaim(new ClaimRequest("w", List.of("default"), 1, Duration.ofMinutes(1)));

        s.runAt(t.plusSeconds(20));
        s.runAt(t.plusSeconds(30));
        store.executionCompleteMany(List.of(Completions.succeed(c.get(0).lease(), "{}", List.of())));
        s.runAt(t.plusSeconds(40));

        assertThat(fired("exclusive")).containsExactlyElementsOf(times("2026-05-04T12:00:10Z", "2026-05-04T12:00:40Z"));
        assertThat(events)
                .containsExactly(
                        "fired exclusive lag=0s",
                        "skipped exclusive overlap=1",
                        "skipped exclusive overlap=1",
                        "fired exclusive lag=0s");
    }

    @Test
    void schedulersOnSeveralWorkersFireEachTimeOnce() throws Exception {
        Instant t = Instant.parse("2026-05-04T12:00:00Z");
        create("every-second", "* * * * * *", "UTC", t, Schedule.Overlap.ALLOW, Schedule.CatchUp.LATEST);
        List<ExecutionStore> others = List.of(sameDatabase(), sameDatabase());
        ExecutorService pool = Executors.newFixedThreadPool(others.size() + 1);
        try {
            List<Scheduler> schedulers = new ArrayList<>(List.of(scheduler()));
            others.forEach(o -> schedulers.add(new Scheduler(o, recorder)));
            for (int i = 1; i <= 20; i++) {
                Instant now = t.plusSeconds(i).plusMillis(200);
                List<Future<Integer>> fs = new ArrayList<>();
                for (Scheduler x : schedulers) {
                    fs.add(pool.submit(() -> x.runAt(now)));
                }
                for (Future<Integer> f : fs) {
                    f.get();
                }
            }
        } finally {
            pool.shutdownNow();
            others.forEach(ExecutionStore::close);
        }
        List<Instant> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expected.add(t.plusSeconds(i));
        }
        assertThat(fired("every-second")).containsExactlyElementsOf(expected);
        assertThat(events).filteredOn(e -> e.startsWith("fired")).hasSize(20);
    }
}
