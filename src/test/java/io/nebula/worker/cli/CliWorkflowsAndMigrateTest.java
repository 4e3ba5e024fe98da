package io.nebula.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code workflows validate} (no database needed) and {@code migrate} through the real command line. */
class CliWorkflowsAndMigrateTest {
    @TempDir
    Path tmp;

    @Test
    void validateAcceptsEveryBundledExample() throws Exception {
        try (CliFixture f = new CliFixture(tmp)) {
            String[] args = java.util.stream.Stream.concat(
                            java.util.stream.Stream.of("workflows", "validate"),
                            DemoCommand.exampleFiles(CliFixture.EXAMPLES).stream()
                                    .map(n -> CliFixture.example(n).toString()))
                    .toArray(String[]::new);

            CliRun r = f.run(args);

            assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("ok       ").contains("workflow 'order-pipeline', 6 nodes, hash ");
            assertThat(Files.exists(f.db)).as("validate needs no database").isFalse();
        }
    }

    @Test
    void validatePrintsEveryProblemOfEveryFileAndExitsFour() throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(
                bad,
                "name: bad\nnodes:\n  - id: a\n    action: teleport\n  - id: b\n    action: noop\n    depends_on: [zz]\n");
        try (CliFixture f = new CliFixture(tmp)) {
            CliRun r = f.run(
                    "workflows", "validate", CliFixture.example("hello.json").toString(), bad.toString(), "nope.json");

            assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID);
            assertThat(r.out())
                    .contains("ok       " + CliFixture.example("hello.json"))
                    .contains("invalid  " + bad + ": 2 problems")
                    .contains(bad + ":4:13 /nodes/0/action (node 'a'): unknown action 'teleport'")
                    .contains("(node 'b'): depends on unknown node 'zz'")
                    .contains("invalid  nope.json: 1 problem")
                    .contains("cannot read: no such file")
                    .contains("2 of 3 files invalid");

            JsonNode j = JsonViews.JSON.readTree(
                    f.run("workflows", "validate", bad.toString(), "--json").out());
            assertThat(j.get(0).get("valid").asBoolean()).isFalse();
            assertThat(j.get(0).get("problems")).hasSize(2);
            JsonNode p = j.get(0).get("problems").get(0);
            assertThat(p.get("line").asInt()).isEqualTo(4);
            assertThat(p.get("column").asInt()).isEqualTo(13);
            assertThat(p.get("pointer").asString()).isEqualTo("/nodes/0/action");
            assertThat(p.get("node").asString()).isEqualTo("a");
            assertThat(p.get("message").asString()).contains("teleport");
        }
    }

    @Test
    void subWorkflowsRunByContentHashCountTowardsTheLimitOfExecutionsStarted() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("nested"));
        java.nio.file.Files.writeString(dir.resolve("leaf.yaml"), """
                name: leaf
                nodes:
                  - id: a
                    action: noop
                """);
        java.nio.file.Files.writeString(dir.resolve("fan.yaml"), """
                name: fan
                nodes:
                  - id: each
                    workflow: leaf.yaml
                    map: { items: "${{ input.items }}", max_items: 10000 }
                """);
        try (CliFixture f = new CliFixture(tmp).migrated()) {
            CliRun fan = f.run(
                    "workflows", "deploy", "--json", dir.resolve("fan.yaml").toString());
            assertThat(fan.exitCode()).as(fan.err()).isZero();
            String fanHash =
                    JsonViews.JSON.readTree(fan.out()).get(0).get("hash").asString();
            String leafHash = f.store().workflowFind("leaf", "").getFirst().hash();
            // Each of up to 10,000 items runs fan, which starts up to 10,000 in turn.
            Path wide = java.nio.file.Files.writeString(dir.resolve("wide.yaml"), """
                    name: wide
                    nodes:
                      - id: each
                        workflow: "%s"
                        map: { items: "${{ input.items }}", max_items: 10000 }
                    """.formatted(fanHash));
            // One node running fan: 1 + 10,000.
            Path one = java.nio.file.Files.writeString(dir.resolve("one.yaml"), """
                    name: one
                    nodes:
                      - id: all
                        workflow: "%s"
                    """.formatted(fanHash));
            Path small = java.nio.file.Files.writeString(dir.resolve("small.yaml"), """
                    name: small
                    nodes:
                      - id: each
                        workflow: "%s"
                        map: { items: [1, 2, 3] }
                    """.formatted(leafHash));

            for (Path refused : List.of(wide, one)) {
                CliRun deploy = f.run("workflows", "deploy", refused.toString());
                assertThat(deploy.exitCode()).as(refused.toString()).isEqualTo(ExitCode.INVALID);
                assertThat(deploy.err())
                        .contains("could start more than 10000 executions")
                        .contains("nothing was deployed");
                CliRun submit = f.run("submit", refused.toString(), "--input", "{\"items\": [1]}");
                assertThat(submit.exitCode()).as(refused.toString()).isEqualTo(ExitCode.INVALID);
                assertThat(submit.err()).contains("could start more than 10000 executions");
                CliRun schedule = f.run(
                        "schedules",
                        "create",
                        "s",
                        "--workflow",
                        refused.toString(),
                        "--cron",
                        "0 2 * * *",
                        "--input",
                        "{\"items\": [1]}");
                assertThat(schedule.exitCode()).as(refused.toString()).isEqualTo(ExitCode.INVALID);
                assertThat(schedule.err()).contains("could start more than 10000 executions");
            }
            assertThat(f.store().workflowLatest("wide")).isEmpty();
            assertThat(f.store().scheduleList()).isEmpty();
            assertThat(f.store().executionList(io.nebula.worker.queue.ExecutionFilter.all(10)))
                    .isEmpty();
            CliRun fine = f.run("workflows", "deploy", small.toString());
            assertThat(fine.exitCode()).as(fine.err()).isZero();

            // A child named by a hash the store does not hold could never start.
            Path orphan = java.nio.file.Files.writeString(dir.resolve("orphan.yaml"), """
                    name: orphan
                    nodes:
                      - id: c
                        workflow: "%s"
                    """.formatted("0".repeat(64)));
            for (String[] command : List.of(
                    new String[] {"workflows", "deploy", orphan.toString()},
                    new String[] {"schedules", "create", "o", "--workflow", orphan.toString(), "--cron", "0 2 * * *"},
                    new String[] {"submit", orphan.toString()})) {
                CliRun refused = f.run(command);
                assertThat(refused.exitCode()).as(String.join(" ", command)).isEqualTo(ExitCode.INVALID);
                assertThat(refused.err())
                        .contains("node 'c' of 'orphan' runs workflow " + "0".repeat(64) + ", which is not stored");
            }
            assertThat(f.store().workflowLatest("orphan")).isEmpty();
            assertThat(f.store().scheduleList()).isEmpty();
        }
    }

    @Test
    void migrateAppliesOnceAndCheckReportsPendingMigrations() {
        try (CliFixture f = new CliFixture(tmp)) {
            // No file yet is a database at schema version 0, and looking does not create it.
            CliRun missing = f.run("migrate", "--check");
            assertThat(missing.exitCode()).isEqualTo(ExitCode.CONFLICT);
            assertThat(missing.out()).startsWith("schema of sqlite:" + f.db + " is at version 0; this build needs ");
            JsonNode missingJson = JsonViews.JSON.readTree(
                    f.run("migrate", "--check", "--json").out());
            assertThat(missingJson.get("from_version").asInt()).isZero();
            assertThat(missingJson.get("up_to_date").asBoolean()).isFalse();
            assertThat(f.db).doesNotExist();

            CliRun list = f.run("executions", "list");
            assertThat(list.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(list.err()).contains("run `nebula-worker migrate` first");

            CliRun first = f.run("migrate");
            assertThat(first.exitCode()).isZero();

            CliRun again = f.run("migrate", "--json");
            JsonNode j = JsonViews.JSON.readTree(again.out());
            assertThat(j.get("to_version").asInt())
                    .isEqualTo(j.get("expected_version").asInt());
            assertThat(first.out())
                    .isEqualTo("migrated sqlite:" + f.db + " from schema version 0 to "
                            + j.get("expected_version").asInt() + "\n");
            assertThat(j.get("applied").asInt()).isZero();
            assertThat(j.get("up_to_date").asBoolean()).isTrue();
            assertThat(missingJson.get("expected_version").asInt())
                    .isEqualTo(j.get("expected_version").asInt());
            assertThat(f.run("migrate", "--check").out()).contains("is up to date");
        }
    }

    @Test
    void anEmptyDatabaseIsNotMigratedBehindTheOperatorsBack() throws Exception {
        Path empty = tmp.resolve("empty.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + empty)) {
            c.createStatement().execute("CREATE TABLE unrelated (x INTEGER)");
        }
        CliFixture f = new CliFixture(tmp, Map.of("DATABASE_URL", "sqlite:" + empty));

        CliRun check = f.run("migrate", "--check");
        CliRun list = f.run("executions", "list");

        assertThat(check.exitCode()).isEqualTo(ExitCode.CONFLICT);
        assertThat(check.out()).contains("is at version 0; this build needs");
        assertThat(list.exitCode()).isEqualTo(ExitCode.CONFLICT);
        assertThat(list.err()).contains("has no nebula schema yet: run `nebula-worker migrate`");
    }

    @Test
    void badConfigurationIsAUsageErrorForEveryCommand() {
        CliFixture f = new CliFixture(tmp, Map.of("DATABASE_URL", "mysql://nope"));

        CliRun r = f.run("executions", "list");

        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("database.url");
    }

    @Test
    void aPasswordInTheDatabaseUrlNeverReachesTheOutput() {
        CliFixture f = new CliFixture(
                tmp, Map.of("DATABASE_URL", "postgres://app:hunter2@127.0.0.1:1/nebula?connect_timeout=1"));

        CliRun r = f.run("executions", "list");

        assertThat(r.exitCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(r.out() + r.err()).doesNotContain("hunter2");
    }

    @Test
    void aDeployedWorkflowIsSubmittedByNameListedAndShownWithItsVersions() throws Exception {
        Path v1 = tmp.resolve("greet.json");
        Files.writeString(v1, """
                {"name": "greet", "nodes": [{"id": "hi", "action": "transform", "params": {"value": "v1"}}],
                 "output": "${{ nodes.hi.output }}"}""");
        Path v2 = tmp.resolve("greet-v2.yaml");
        Files.writeString(v2, """
                name: greet
                nodes:
                  - id: hi
                    action: transform
                    params: {value: v2}
                output: "${{ nodes.hi.output }}"
                """);
        try (CliFixture f = new CliFixture(tmp).migrated()) {
            CliRun first = f.run("workflows", "deploy", v1.toString());
            CliRun second = f.run("workflows", "deploy", v2.toString(), "--json");
            JsonNode deployed = JsonViews.JSON.readTree(second.out()).get(0);
            String hash1 = JsonViews.JSON
                    .readTree(f.run("workflows", "validate", v1.toString(), "--json")
                            .out())
                    .get(0)
                    .get("hash")
                    .asString();
            String hash2 = deployed.get("hash").asString();

            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.out())
                    .startsWith("deployed workflow 'greet' version " + hash1.substring(0, 12))
                    .contains("its first deployed version; `nebula-worker submit greet` runs it");
            assertThat(deployed.get("new_version").asBoolean()).isTrue();
            assertThat(deployed.get("previous_hash").asString()).isEqualTo(hash1);

            // By name: the latest deployed version; by name@hash: the one asked for; a file still works.
            CliRun byName = f.run("submit", "greet", "--json");
            CliRun byHash = f.run("submit", "greet@" + hash1.substring(0, 8), "--json");
            CliRun byFile = f.run("submit", v1.toString(), "--json");
            assertThat(byName.exitCode()).as(byName.err()).isZero();
            assertThat(JsonViews.JSON
                            .readTree(byName.out())
                            .get("workflow_hash")
                            .asString())
                    .isEqualTo(hash2);
            assertThat(JsonViews.JSON
                            .readTree(byHash.out())
                            .get("workflow_hash")
                            .asString())
                    .isEqualTo(hash1);
            assertThat(JsonViews.JSON
                            .readTree(byFile.out())
                            .get("workflow_hash")
                            .asString())
                    .isEqualTo(hash1);

            assertThat(f.run("workflows", "list").out())
                    .containsPattern("greet +2 +" + hash2.substring(0, 12) + " +\\d{4}-");
            CliRun show = f.run("workflows", "show", "greet");
            assertThat(show.out())
                    .contains("Workflow 'greet': 2 versions, latest deployed " + hash2.substring(0, 12))
                    .containsPattern(hash2.substring(0, 12) + " +yes +\\d{4}-")
                    .containsPattern(hash1.substring(0, 12) + " +\\d{4}-")
                    .containsPattern("hi +transform");

            // Deploying the first file again rolls back to it.
            assertThat(f.run("workflows", "deploy", v1.toString()).out())
                    .contains("an earlier version, the latest again, replacing " + hash2.substring(0, 12));
            assertThat(JsonViews.JSON
                            .readTree(f.run("submit", "greet", "--json").out())
                            .get("workflow_hash")
                            .asString())
                    .isEqualTo(hash1);

            CliRun typo = f.run("submit", "gret");
            assertThat(typo.exitCode()).isEqualTo(ExitCode.INVALID);
            assertThat(typo.err())
                    .isEqualTo("nebula-worker: no file 'gret', and no deployed workflow is named 'gret' (deployed:"
                            + " greet); did you mean 'greet'? Nothing was enqueued\n");
            assertThat(f.run("submit", "greet@ffffffff").err()).contains("has no stored version whose hash starts");
            assertThat(f.run("submit", "missing.json").err()).contains("cannot read missing.json: no such file");
            assertThat(f.run("workflows", "show", "gret").exitCode()).isEqualTo(ExitCode.INVALID);
        }
    }
}
