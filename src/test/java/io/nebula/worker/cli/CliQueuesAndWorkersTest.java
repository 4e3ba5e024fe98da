package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code workers list} and {@code queues stats|pause|resume} through the real command line. */
class CliQueuesAndWorkersTest {
    @TempDir
    Path tmp;

    CliFixture f;

    @BeforeEach
    void setUp() {
        f = new CliFixture(tmp).migrated();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void workersListShowsLiveWorkersWithLoadAndLastSeen() throws Exception {
        assertThat(f.run("workers", "list").out()).isEqualTo("No worker has sent a heartbeat in the last 1m 30s.\n");
        WorkerApp.Running w = f.startWorker();
        String id = w.worker().worker().workerId();

        CliRun r = f.run("workers", "list");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("WORKER")
                .contains("LOAD")
                .contains("LAST SEEN")
                .containsPattern(
                        java.util.regex.Pattern.quote(id) + " +test-pool +\\S+ +\\d+ +default +0/4 +0\\.1\\.0");
        JsonNode j = JsonViews.JSON.readTree(f.run("workers", "list", "--json").out());
        assertThat(j).hasSize(1);
        assertThat(j.get(0).get("worker_id").asString()).isEqualTo(id);
        assertThat(j.get(0).get("concurrency").asInt()).isEqualTo(4);
        assertThat(j.get(0).get("active").asInt()).isZero();
        assertThat(j.get(0).get("queues").get(0).asString()).isEqualTo("default");
        assertThat(j.get(0).get("last_seen_seconds_ago").asLong()).isBetween(0L, 60L);
        assertThat(f.run("workers", "list", "--within", "bogus").exitCode()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void statsCountByStateAndPauseResumeChangeTheQueue() {
        f.run("submit", CliFixture.example("hello.json").toString());
        f.run("submit", CliFixture.example("hello.json").toString(), "--delay", "1h");
        assertThat(f.run("queues", "create", "mail").out()).isEqualTo("queue 'mail' created\n");
        f.run("submit", CliFixture.example("hello.json").toString(), "--queue", "mail");

        assertThat(f.run("queues", "pause", "mail").out())
                .isEqualTo("queue 'mail' is paused; running executions finish, nothing new is claimed\n");
        CliRun stats = f.run("queues", "stats");

        assertThat(stats.exitCode()).isZero();
        List<String> lines = stats.out().lines().toList();
        assertThat(lines.get(0)).containsPattern("QUEUE +PAUSED +DUE +SCHEDULED +RUNNING +LIMIT +SUCCEEDED");
        assertThat(lines.get(1)).matches("default +no +1 +1 +0 +- +0 +0 +0 +\\S+ +0");
        assertThat(lines.get(2)).matches("mail +yes +1 +0 +0 +- +0 +0 +0 +\\S+ +0");
        assertThat(f.store().queuePausedList()).containsExactly("mail");
        assertThat(f.run("executions", "list", "--queue", "mail").out()).contains("; its queue is paused");
        assertThat(f.run("executions", "list", "--queue", "default").out())
                .contains("waiting for a worker")
                .doesNotContain("paused");

        JsonNode resumed = JsonViews.JSON.readTree(
                f.run("queues", "resume", "mail", "--json").out());
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(f.store().queuePausedList()).isEmpty();

        JsonNode j = JsonViews.JSON.readTree(f.run("queues", "stats", "--json").out());
        JsonNode d = j.get(0);
        assertThat(d.get("queue").asString()).isEqualTo("default");
        assertThat(d.get("due").asLong()).isEqualTo(1);
        assertThat(d.get("scheduled").asLong()).isEqualTo(1);
        assertThat(d.get("available").asLong()).isEqualTo(2);
        assertThat(d.get("paused").asBoolean()).isFalse();
        assertThat(d.has("oldest_due_age_seconds")).isTrue();
        assertThat(d.has("finished_last_minute")).isTrue();
        assertThat(d.get("capped").asBoolean()).isFalse();
        assertThat(d.get("max_running").isNull()).isTrue();
    }

    @Test
    void limitCapsAQueuesRunningExecutionsAndNoneLiftsIt() {
        String hello = CliFixture.example("hello.json").toString();
        f.run("submit", hello);

        CliRun set = f.run("queues", "limit", "default", "2");
        CliRun one = f.run("queues", "limit", "default", "1", "--json");

        assertThat(set.exitCode()).isZero();
        assertThat(set.out()).isEqualTo("queue 'default' runs at most 2 executions at once across all workers\n");
        JsonNode j = JsonViews.JSON.readTree(one.out());
        assertThat(j.get("queue").asString()).isEqualTo("default");
        assertThat(j.get("max_running").asInt()).isEqualTo(1);
        assertThat(f.run("queues", "stats").out().lines().toList().get(1))
                .matches("default +no +1 +0 +0 +1 +0 +0 +0 +\\S+ +0");
        assertThat(JsonViews.JSON
                        .readTree(f.run("queues", "stats", "--json").out())
                        .get(0)
                        .get("max_running")
                        .asInt())
                .isEqualTo(1);

        CliRun lifted = f.run("queues", "limit", "default", "--none");
        assertThat(lifted.exitCode()).isZero();
        assertThat(lifted.out()).isEqualTo("queue 'default' has no limit on running executions\n");
        assertThat(f.store().queueList())
                .allSatisfy(q -> assertThat(q.maxRunning()).isNull());
    }

    @Test
    void aLimitThatIsMissingBelowOneOrOnAnUnknownQueueIsRefusedAndChangesNothing() {
        f.run("submit", CliFixture.example("hello.json").toString());
        f.run("queues", "limit", "default", "4");

        CliRun zero = f.run("queues", "limit", "default", "0");
        CliRun neither = f.run("queues", "limit", "default");
        CliRun both = f.run("queues", "limit", "default", "3", "--none");
        CliRun word = f.run("queues", "limit", "default", "many");
        CliRun unknown = f.run("queues", "limit", "defualt", "3");

        assertThat(zero.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(zero.err()).contains("N must be at least 1, not 0").contains("queues pause");
        assertThat(neither.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(neither.err()).contains("or --none to lift its limit; nothing was changed");
        assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(both.err()).contains("not both");
        assertThat(word.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(word.err()).contains("many");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err()).contains("did you mean 'default'?");
        assertThat(f.store().queueList()).containsExactly(new io.nebula.worker.queue.KnownQueue("default", false, 4));
        assertThat(f.run("queues", "limit", "reports", "2", "--force").exitCode())
                .isZero();
        assertThat(f.store().queueList()).contains(new io.nebula.worker.queue.KnownQueue("reports", false, 2));
    }

    @Test
    void aGroupWithoutASubcommandIsAUsageError() {
        CliRun r = f.run("queues");

        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("Missing required subcommand");
    }

    @Test
    void aTypoInAQueueNameIsRefusedWithTheLikelyNameUnlessForced() {
        String hello = CliFixture.example("hello.json").toString();

        CliRun typo = f.run("submit", hello, "--queue", "defualt");
        CliRun pause = f.run("queues", "pause", "nosuchqueue");

        assertThat(typo.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(typo.err())
                .isEqualTo("nebula-worker: queue 'defualt' is not known: no worker has served it and no operator"
                        + " created it (known: default); did you mean 'default'? Nothing was enqueued; give --force"
                        + " to submit to it anyway, or create it with `nebula-worker queues create defualt`\n");
        assertThat(pause.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(pause.err()).contains("queue 'nosuchqueue' is not known").doesNotContain("did you mean");
        assertThat(f.store().executionList(io.nebula.worker.queue.ExecutionFilter.all(10)))
                .isEmpty();
        assertThat(f.store().queueList()).isEmpty();
        CliRun stats = f.run("queues", "stats");
        assertThat(stats.out()).doesNotContain("nosuchqueue");

        assertThat(f.run("submit", hello, "--queue", "defualt", "--force").exitCode())
                .isZero();
        assertThat(f.run("queues", "pause", "nosuchqueue", "--force").exitCode())
                .isZero();
        assertThat(f.store().queuePausedList()).containsExactly("nosuchqueue");
        JsonNode created = JsonViews.JSON.readTree(
                f.run("queues", "create", "reports", "--json").out());
        assertThat(created.get("created").asBoolean()).isTrue();
        assertThat(f.run("queues", "create", "reports").out()).isEqualTo("queue 'reports' already exists\n");
        assertThat(f.run("submit", hello, "--queue", "reports").exitCode()).isZero();
    }

    @Test
    void aQueueNameThatBreaksTheRuleIsRefusedByEveryCommandThatWouldStoreIt() {
        String hello = CliFixture.example("hello.json").toString();
        String longName = "q".repeat(65);

        List<CliRun> refused = List.of(
                f.run("queues", "create", "bad queue!"),
                f.run("queues", "create", longName),
                f.run("queues", "pause", "x y z", "--force"),
                f.run("submit", hello, "--queue", "bad queue!", "--force"),
                f.run(
                        "schedules",
                        "create",
                        "s1",
                        "--workflow",
                        hello,
                        "--cron",
                        "*/5 * * * *",
                        "--queue",
                        "bad queue!"));

        assertThat(refused).allSatisfy(r -> {
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).contains("is not valid (letters, digits, _ . : -");
        });
        assertThat(refused.get(0).err()).contains("queue name 'bad queue!' is not valid");
        assertThat(f.store().queueList()).isEmpty();
        assertThat(f.store().scheduleList()).isEmpty();
        assertThat(f.store().executionList(io.nebula.worker.queue.ExecutionFilter.all(10)))
                .isEmpty();
    }

    @Test
    void aQueueAWorkerServesIsKnown() throws Exception {
        String hello = CliFixture.example("hello.json").toString();
        assertThat(f.run("submit", hello, "--queue", "jobs").exitCode()).isEqualTo(ExitCode.USAGE);

        f.startWorker(List.of("jobs"));

        assertThat(f.run("submit", hello, "--queue", "jobs").exitCode()).isZero();
        assertThat(f.run("queues", "pause", "jobs").exitCode()).isZero();
        assertThat(f.run("queues", "stats").out()).containsPattern("jobs +yes");
    }
}
