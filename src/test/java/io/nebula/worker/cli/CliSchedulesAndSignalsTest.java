package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ClaimRequest;
import io.nebula.worker.queue.ClaimedExecution;
import io.nebula.worker.queue.Completions;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.queue.SignalWait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code schedules ...} and {@code executions signal} through the real command line on a SQLite
 * file: errors that name what is wrong with their exit codes, the stored results, JSON shapes, and
 * an idempotent {@code apply}.
 */
class CliSchedulesAndSignalsTest {
    static final String REPORT_INPUT = "{\"region\":\"emea\",\"orders\":[1,250]}";

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

    private CliRun create(String name, String cron, String... extra) {
        return createWithInput(name, cron, REPORT_INPUT, extra);
    }

    /** {@code schedules create} of the nightly report; a {@code null} input gives no {@code --input}. */
    private CliRun createWithInput(String name, String cron, String input, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "schedules",
                "create",
                name,
                "--workflow",
                CliFixture.example("nightly-report.yaml").toString(),
                "--cron",
                cron));
        if (input != null) {
            args.addAll(List.of("--input", input));
        }
        args.addAll(List.of(extra));
        return f.run(args.toArray(String[]::new));
    }

    @Test
    void createChecksEverythingFirstAndNamesWhatIsWrong() {
        CliRun badField = create("nightly", "0 25 * * *");
        assertThat(badField.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(badField.err())
                .contains("cron '0 25 * * *': hour field '25' is invalid: Value 25 not in range [0, 23]")
                .contains("nothing was written");
        CliRun fields = create("nightly", "0 2 * *");
        assertThat(fields.err()).contains("has 4 fields; expected 5");
        CliRun zone = create("nightly", "0 2 * * *", "--timezone", "Europe/Atlantis");
        assertThat(zone.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(zone.err()).contains("unknown time zone 'Europe/Atlantis'");
        CliRun input = createWithInput("nightly", "0 2 * * *", null);
        assertThat(input.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(input.err()).contains("does not match the input schema of 'nightly-report'");
        CliRun overlap = create("nightly", "0 2 * * *", "--overlap", "sometimes");
        assertThat(overlap.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(overlap.err()).contains("--overlap must be allow or skip, not 'sometimes'");
        CliRun name = create("night ly", "0 2 * * *");
        assertThat(name.err()).contains("schedule name 'night ly' is not valid");
        CliRun many = createWithInput("nightly", "0 2 * * *", manyValues());
        assertThat(many.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(many.err()).contains("--input: input holds more than 100000 JSON values (limits.execution_values)");
        assertThat(f.store().scheduleList()).isEmpty();
    }

    /** {@code @FILE} of a JSON object holding 100,001 values (an object, a list, 99,999 zeros). */
    private String manyValues() {
        Path file = tmp.resolve("many-values.json");
        try {
            java.nio.file.Files.writeString(file, "{\"l\": [" + "0,".repeat(99_998) + "0]}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "@" + file;
    }

    @Test
    void createListShowPauseResumeDelete() {
        CliRun created =
                create("nightly", "0 2 * * *", "--timezone", "Europe/Berlin", "--overlap", "skip", "--catch-up", "3");
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out())
                .contains("created schedule 'nightly': workflow 'nightly-report' on queue 'default', cron 0 2 * * *"
                        + " in Europe/Berlin")
                .contains("next fires at ");
        assertThat(create("nightly", "0 3 * * *").exitCode()).isEqualTo(ExitCode.CONFLICT);
        CliRun takenOnAnUnknownQueue = create("nightly", "0 3 * * *", "--queue", "nowhere");
        assertThat(takenOnAnUnknownQueue.exitCode())
                .as("the name is what stops it")
                .isEqualTo(ExitCode.CONFLICT);
        assertThat(takenOnAnUnknownQueue.err()).contains("a schedule named 'nightly' exists");

        Schedule s = f.store().scheduleGet("nightly").orElseThrow();
        assertThat(s.overlap()).isEqualTo(Schedule.Overlap.SKIP);
        assertThat(s.catchUp()).isEqualTo(new Schedule.CatchUp(3));
        assertThat(s.maxAttempts()).as("the workflow's max_retries: 1").isEqualTo(2);

        CliRun list = f.run("schedules", "list");
        assertThat(list.out())
                .containsPattern("nightly +nightly-report +0 2 \\* \\* \\* +Europe/Berlin +default +active");
        JsonNode shown = JsonViews.JSON.readTree(
                f.run("schedules", "show", "nightly", "--json").out());
        assertThat(shown.get("next_fire_times")).hasSize(5);
        assertThat(shown.get("description").asString()).isEqualTo("at 02:00");
        assertThat(shown.get("input")).isEqualTo(JsonViews.JSON.readTree(REPORT_INPUT));
        for (JsonNode t : shown.get("next_fire_times")) {
            String utc = t.asString();
            assertThat(utc).as("02:00 Berlin is 00:00 or 01:00 UTC").matches(".*T0[01]:00:00Z");
        }
        assertThat(f.run("schedules", "show", "nightly").out())
                .contains("next fires  ")
                .contains("last fire   never");

        assertThat(f.run("schedules", "pause", "nightly").exitCode()).isZero();
        assertThat(f.store().scheduleGet("nightly").orElseThrow().paused()).isTrue();
        assertThat(f.run("schedules", "list").out()).contains("paused");
        CliRun resumed = f.run("schedules", "resume", "nightly", "--json");
        assertThat(JsonViews.JSON.readTree(resumed.out()).get("result").asString())
                .isEqualTo("resumed");
        assertThat(f.store().scheduleGet("nightly").orElseThrow().paused()).isFalse();

        assertThat(f.run("schedules", "delete", "nightly").exitCode()).isZero();
        for (String cmd : List.of("show", "pause", "resume", "delete")) {
            CliRun r = f.run("schedules", cmd, "nightly");
            assertThat(r.exitCode()).as(cmd).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(r.err()).contains("no schedule named 'nightly'");
        }
    }

    @Test
    void applyMakesTheStoredSchedulesMatchTheFileAndIsIdempotent() throws Exception {
        Path dir = tmp.resolve("conf");
        Files.createDirectories(dir);
        Files.copy(CliFixture.example("nightly-report.yaml"), dir.resolve("nightly-report.yaml"));
        Path file = dir.resolve("schedules.toml");
        Files.writeString(file, """
                [[schedules]]
                name = "nightly"
                workflow = "nightly-report.yaml"
                cron = "0 2 * * *"
                timezone = "Europe/Berlin"
                input = { region = "emea", orders = [1, 250] }

                [[schedules]]
                name = "hourly"
                workflow = "nightly-report.yaml"
                cron = "0 * * * *"
                input = { region = "apac", orders = [] }
                overlap = "skip"
                """);
        assertThat(create("stray", "*/5 * * * *").exitCode()).isZero();

        CliRun plan = f.run("schedules", "apply", file.toString(), "--dry-run");
        assertThat(plan.out())
                .contains("would create  nightly")
                .contains("would create  hourly")
                .contains("would delete  stray");
        assertThat(f.store().scheduleList()).extracting(Schedule::name).containsExactly("stray");

        CliRun first = f.run("schedules", "apply", file.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(f.store().scheduleList()).extracting(Schedule::name).containsExactly("hourly", "nightly");
        var nextBefore = f.store().scheduleGet("nightly").orElseThrow().nextFireAt();

        CliRun again = f.run("schedules", "apply", file.toString(), "--json");
        JsonNode changes = JsonViews.JSON.readTree(again.out()).get("changes");
        assertThat(changes).hasSize(2).allMatch(c -> c.get("change").asString().equals("unchanged"));
        assertThat(f.store().scheduleGet("nightly").orElseThrow().nextFireAt()).isEqualTo(nextBefore);

        Files.writeString(file, Files.readString(file).replace("orders = []", "orders = [3]"));
        f.run("schedules", "pause", "hourly");
        CliRun changed = f.run("schedules", "apply", file.toString());
        assertThat(changed.out()).contains("updated       hourly: input").contains("unchanged     nightly");
        assertThat(f.store().scheduleGet("hourly").orElseThrow().paused())
                .as("a pause made by an operator stands when the file does not say")
                .isTrue();

        Files.writeString(file, Files.readString(file).replace("0 2 * * *", "0 2 * * 9"));
        CliRun bad = f.run("schedules", "apply", file.toString());
        assertThat(bad.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(bad.err())
                .contains("schedules.toml")
                .contains("schedules[0] (nightly)")
                .contains("day-of-week field '9'")
                .contains("nothing was written");
        assertThat(f.store().scheduleGet("nightly").orElseThrow().cron()).isEqualTo("0 2 * * *");
    }

    @Test
    void aScheduleOnAQueueNoWorkerServesIsRefusedUnlessForced() throws Exception {
        List<String> create = List.of(
                "schedules",
                "create",
                "nightly",
                "--workflow",
                CliFixture.example("nightly-report.yaml").toString(),
                "--cron",
                "0 2 * * *",
                "--input",
                REPORT_INPUT,
                "--queue",
                "defualt");
        CliRun typo = f.run(create.toArray(String[]::new));

        assertThat(typo.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(typo.err())
                .contains("queue 'defualt' is not known")
                .contains("did you mean 'default'?")
                .contains("give --force to create the schedule anyway");
        assertThat(f.store().scheduleList()).isEmpty();
        List<String> withForce = new java.util.ArrayList<>(create);
        withForce.add("--force");
        CliRun forced = f.run(withForce.toArray(String[]::new));
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(f.store().scheduleGet("nightly").orElseThrow().queue()).isEqualTo("defualt");

        Path dir = Files.createDirectories(tmp.resolve("queues"));
        Files.copy(CliFixture.example("nightly-report.yaml"), dir.resolve("nightly-report.yaml"));
        Path file = Files.writeString(dir.resolve("schedules.yaml"), """
                schedules:
                  - name: typo
                    workflow: nightly-report.yaml
                    cron: "0 2 * * *"
                    input: { region: emea, orders: [1] }
                    queue: reprots
                  - name: plain
                    workflow: nightly-report.yaml
                    cron: "0 3 * * *"
                    input: { region: emea, orders: [1] }
                    queue: default
                """);
        for (String dryRun : List.of("--dry-run", "--json")) {
            CliRun refused = f.run("schedules", "apply", file.toString(), dryRun);
            assertThat(refused.exitCode()).as(dryRun).isEqualTo(ExitCode.USAGE);
            assertThat(refused.err())
                    .contains("names queues that are not known; nothing was written")
                    .contains("schedules[0] (typo): queue 'reprots' is not known")
                    .doesNotContain("(plain)");
        }
        assertThat(f.store().scheduleList()).extracting(s -> s.name()).containsExactly("nightly");
        CliRun applied = f.run("schedules", "apply", file.toString(), "--force");
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(f.store().scheduleList()).extracting(s -> s.name()).containsExactlyInAnyOrder("typo", "plain");
    }

    @Test
    void applyAndCreateNameEveryProblemAtOnce() throws Exception {
        Path dir = tmp.resolve("many");
        Files.createDirectories(dir);
        Files.copy(CliFixture.example("nightly-report.yaml"), dir.resolve("nightly-report.yaml"));
        Path file = dir.resolve("schedules.toml");
        Files.writeString(file, """
                [[schedules]]
                name = "first"
                workflow = "nightly-report.yaml"
                cron = "0 2 * * *"
                overlpa = "skip"

                [[schedules]]
                name = "second"
                workflow = "nightly-report.yaml"
                cron = "0 61 * * *"

                [[schedules]]
                name = "third"
                workflow = "nightly-report.yaml"
                cron = "0 3 * * *"
                queue = "bad queue!"

                [[schedules]]
                name = "fourth"
                workflow = "missing.yaml"
                cron = "0 4 * * *"
                """);

        CliRun apply = f.run("schedules", "apply", file.toString());

        assertThat(apply.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(apply.err())
                .contains("(4 problems)")
                .contains("schedules[0] (first): unknown key 'overlpa'")
                .contains("schedules[1] (second): ")
                .contains("'61'")
                .contains("schedules[2] (third): queue name 'bad queue!' is not valid")
                .containsPattern("schedules\\[3] \\(fourth\\): workflow: cannot read "
                        + java.util.regex.Pattern.quote(
                                dir.resolve("missing.yaml").toString()) + ": no such file");
        assertThat(f.store().scheduleList()).isEmpty();
        Path yaml = Files.writeString(dir.resolve("schedules.yaml"), """
                schedules:
                  - name: lost
                    workflow: gone.yaml
                    cron: "0 4 * * *"
                """);
        assertThat(f.run("schedules", "apply", yaml.toString()).err())
                .as("YAML tells the key's line")
                .contains("schedules[0] (lost): workflow (line 3): cannot read " + dir.resolve("gone.yaml"));

        CliRun create = f.run(
                "schedules",
                "create",
                "lost",
                "--workflow",
                dir.resolve("missing.yaml").toString(),
                "--cron",
                "0 2 * * *",
                "--timezone",
                "Mars/Olympus");

        assertThat(create.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(create.err())
                .contains("(2 problems)")
                .contains("Mars/Olympus")
                .contains("cannot read workflow " + dir.resolve("missing.yaml") + ": no such file");
        assertThat(f.store().scheduleList()).isEmpty();
    }

    @Test
    void aScheduleCanNameADeployedWorkflowAndApplyPicksUpALaterDeploy() throws Exception {
        Path report = CliFixture.example("nightly-report.yaml");
        CliRun deployed = f.run("workflows", "deploy", report.toString(), "--json");
        String v1 = JsonViews.JSON.readTree(deployed.out()).get(0).get("hash").asString();

        CliRun byName = f.run(
                "schedules",
                "create",
                "nightly",
                "--workflow",
                "nightly-report",
                "--cron",
                "0 2 * * *",
                "--input",
                REPORT_INPUT);
        CliRun typo = f.run(
                "schedules",
                "create",
                "other",
                "--workflow",
                "nightly-reprot",
                "--cron",
                "0 2 * * *",
                "--input",
                REPORT_INPUT);

        assertThat(byName.exitCode()).as(byName.err()).isZero();
        assertThat(f.store().scheduleGet("nightly").orElseThrow().workflowHash())
                .isEqualTo(v1);
        assertThat(typo.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(typo.err()).contains("no file 'nightly-reprot', and no deployed workflow is named 'nightly-reprot'");

        // A file of schedules may name it too; a new deploy reaches the schedule at the next apply.
        Path v2 = tmp.resolve("nightly-report-v2.yaml");
        Files.writeString(v2, Files.readString(report).replace("description:", "description: v2 -"));
        String v2Hash = JsonViews.JSON
                .readTree(f.run("workflows", "deploy", v2.toString(), "--json").out())
                .get(0)
                .get("hash")
                .asString();
        Path file = tmp.resolve("schedules.yaml");
        Files.writeString(file, """
                schedules:
                  - name: nightly
                    workflow: nightly-report
                    cron: "0 2 * * *"
                    input: {region: emea, orders: [1, 250]}
                """);
        CliRun applied = f.run("schedules", "apply", file.toString());
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(v2Hash).isNotEqualTo(v1);

        // An input past the value bound is named under the schedule, once.
        Path heavy = tmp.resolve("heavy.yaml");
        Files.writeString(heavy, """
                schedules:
                  - name: heavy
                    workflow: nightly-report
                    cron: "0 2 * * *"
                    input: {orders: %s}
                """.formatted("[" + "0,".repeat(100_000) + "0]"));
        CliRun refused = f.run("schedules", "apply", heavy.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(refused.err())
                .contains("heavy.yaml line 2: schedules[0] (heavy): input holds more than 100000 JSON values")
                .doesNotContain("input: input");
        assertThat(f.store().scheduleGet("nightly").orElseThrow().workflowHash())
                .isEqualTo(v2Hash);
    }

    /** The id of the execution a {@code submit} printed. */
    private static long submittedId(CliRun submitted) {
        return Long.parseLong(submitted.out().replaceAll("(?s)^submitted execution (\\d+).*", "$1"));
    }

    /** Submits examples/approval.yaml for request {@code requestId}; returns the execution's id. */
    private long submitApproval(String requestId) {
        return submittedId(f.run(
                "submit",
                CliFixture.example("approval.yaml").toString(),
                "--input",
                "{\"request\":{\"id\":\"" + requestId + "\",\"amount\":1}}"));
    }

    @Test
    void aSignalNameComputedByAnExpressionIsNotCheckedBeforehand() throws Exception {
        Path computed = tmp.resolve("computed-signal.yaml");
        Files.writeString(computed, """
                name: computed-signal
                nodes:
                  - id: wait
                    action: signal
                    params: "${{ input.wait }}"
                """);
        CliRun submitted = f.run("submit", computed.toString(), "--input", "{\"wait\":{\"name\":\"approve\"}}");
        assertThat(submitted.exitCode()).as(submitted.out() + submitted.err()).isZero();
        long id = submittedId(submitted);

        CliRun sent = f.run("executions", "signal", Long.toString(id), "approve");

        assertThat(sent.exitCode()).as(sent.out() + sent.err()).isZero();
        assertThat(f.store().signalList(id)).anyMatch(x -> x.name().equals("approve"));
    }

    @Test
    void aSignalWhoseNodeHasAlreadyFinishedIsRefusedAndNotStored() {
        long id = submitApproval("C");
        ClaimedExecution c = f.store()
                .executionClaim(new ClaimRequest("w1", List.of("default"), 1, Duration.ofMinutes(5)))
                .get(0);
        // The attempt recorded the signal node as timed out (on_timeout: continue) and parked on a
        // later wait: the execution is not finished, but nothing reads 'approve' any more.
        java.time.Instant now = java.time.Instant.now();
        f.store()
                .executionCompleteMany(List.of(Completions.release(
                        c.lease(),
                        "a later node waits",
                        Duration.ofHours(1),
                        List.of(new io.nebula.worker.queue.NodeResult(
                                "approve",
                                io.nebula.worker.queue.NodeStatus.SUCCEEDED,
                                "{\"timed_out\":true}",
                                null,
                                1,
                                now,
                                now)))));

        CliRun late = f.run("executions", "signal", Long.toString(id), "approve");

        assertThat(late.exitCode()).as(late.out() + late.err()).isEqualTo(ExitCode.CONFLICT);
        assertThat(late.err())
                .contains("node 'approve' of execution " + id + " already finished (its wait for signal 'approve'"
                        + " timed out)")
                .contains("nothing was delivered");
        assertThat(f.store().signalList(id)).noneMatch(x -> x.receivedAt() != null);
    }

    @Test
    void signalDeliversOnceAndRefusesWhatItCannotDeliver() {
        long id = submitApproval("A");
        ClaimedExecution c = f.store()
                .executionClaim(new ClaimRequest("w1", List.of("default"), 1, Duration.ofMinutes(5)))
                .get(0);
        f.store()
                .executionCompleteMany(List.of(Completions.awaitSignal(
                        c.lease(),
                        "node 'approve': waiting for signal 'approve'",
                        List.of(new SignalWait("approve", "approve", Duration.ofHours(1))),
                        List.of())));

        CliRun explain = f.run("executions", "explain", Long.toString(id));
        assertThat(explain.out())
                .contains("Waiting for signal 'approve' since ")
                .contains("node 'approve'")
                .contains("The wait for 'approve' times out at ")
                .contains("executions signal " + id + " approve");
        assertThat(f.run("executions", "list").out())
                .contains("waiting for a signal (times out in 59m")
                .doesNotContain("due in");

        CliRun bad = f.run("executions", "signal", Long.toString(id), "approve", "--data", "{\"approved\":");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(bad.err()).contains("--data: signal data is not valid JSON at line 1, column 13");
        CliRun many = f.run("executions", "signal", Long.toString(id), "approve", "--data", manyValues());
        assertThat(many.exitCode()).isEqualTo(ExitCode.INVALID);
        assertThat(many.err())
                .contains("--data: signal data holds more than 100000 JSON values (limits.execution_values)");
        assertThat(f.run("executions", "signal", Long.toString(id), "approve now")
                        .exitCode())
                .isEqualTo(ExitCode.USAGE);

        CliRun typo = f.run("executions", "signal", Long.toString(id), "aprove");
        assertThat(typo.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(typo.err())
                .contains("no signal node of workflow 'approval' waits for signal 'aprove' (its signal nodes wait"
                        + " for: approve)")
                .contains("nothing was delivered; give --force");
        assertThat(f.store().signalList(id)).noneMatch(x -> x.name().equals("aprove"));

        CliRun sent = f.run("executions", "signal", Long.toString(id), "approve", "--data", "{\"approved\":true}");
        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(sent.out())
                .contains("delivered signal 'approve' to execution " + id + "; it was waiting and runs" + " again now");
        CliRun twice = f.run("executions", "signal", Long.toString(id), "approve", "--json");
        JsonNode j = JsonViews.JSON.readTree(twice.out());
        assertThat(twice.exitCode()).isZero();
        assertThat(j.get("result").asString()).isEqualTo("duplicate");
        assertThat(j.get("woke").asBoolean()).isFalse();

        JsonNode shown = JsonViews.JSON.readTree(
                f.run("executions", "show", Long.toString(id), "--json").out());
        assertThat(shown.get("signals")).singleElement().satisfies(s -> {
            assertThat(s.get("name").asString()).isEqualTo("approve");
            assertThat(s.get("node_id").asString()).isEqualTo("approve");
            assertThat(s.get("data")).isEqualTo(JsonViews.JSON.readTree("{\"approved\":true}"));
        });

        f.run("executions", "cancel", Long.toString(id));
        assertThat(f.store().executionGet(id).orElseThrow().state()).isEqualTo(ExecutionState.CANCELLED);
        CliRun finished = f.run("executions", "signal", Long.toString(id), "other");
        assertThat(finished.exitCode()).isEqualTo(ExitCode.CONFLICT);
        assertThat(finished.err()).contains("already finished (cancelled)");
        assertThat(f.run("executions", "signal", "999", "approve").exitCode()).isEqualTo(ExitCode.NOT_FOUND);

        long second = submitApproval("B");
        CliRun forced = f.run("executions", "signal", Long.toString(second), "aprove", "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(f.store().signalList(second)).anyMatch(x -> x.name().equals("aprove"));
    }
}
