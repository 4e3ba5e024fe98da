package io.nebula.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.cli.Main;
import io.nebula.worker.queue.PostgresTestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs {@code nebula-worker bench --smoke --json} end to end (every scenario, real worker
 * processes included) so the benchmark cannot rot. It checks that each scenario reports its
 * figures and that nothing is left behind; it never checks a speed, which is the benchmark's job.
 * Tagged {@code process}: it starts JVMs.
 */
@Tag("process")
class BenchSmokeTest {
    @TempDir
    Path work;

    @Test
    void theSmokeBenchmarkReportsEveryScenarioAsJson() throws Exception {
        boolean pg = postgresReachable();
        Set<String> schemasBefore = pg ? benchSchemas() : Set.of();
        List<String> args = new ArrayList<>(List.of(
                "bench",
                "--smoke",
                "--json",
                "--latency-samples",
                "5",
                "--processes",
                "1",
                "--work-dir",
                work.toString()));
        if (pg) {
            args.addAll(List.of("--database-url", PostgresTestDatabase.URL + "?user=" + PostgresTestDatabase.USER));
        }
        args.addAll(List.of("--database-url", "sqlite:" + work.resolve("sqlite")));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = Main.run(
                args.toArray(String[]::new), Map.of(), c -> 0, new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as("exit code; stderr:%n%s", err).isZero();
        JsonNode doc = JsonMapper.builder().build().readTree(out.toString());
        assertThat(doc.path("machine").path("cores").asInt()).isPositive();
        Set<String> scenarios = new HashSet<>();
        for (JsonNode r : doc.path("results")) {
            scenarios.add(r.path("scenario").asString());
            assertThat(r.path("spread").properties()).as("figures of %s", r).isNotEmpty();
            // The baseline runs once per repeat of every scenario that measures PostgreSQL.
            boolean baseline = r.path("scenario").asString().equals("baseline");
            for (var figure : r.path("spread").properties()) {
                if (baseline) {
                    assertThat(figure.getValue().path("runs").size()).isEqualTo(3);
                } else {
                    assertThat(figure.getValue().path("runs").size()).isEqualTo(1);
                }
            }
            if (r.path("scenario").asString().equals("drain")) {
                // The store's round trips per execution, counted on the hot path's own role.
                assertThat(r.path("details")
                                .path("store_calls")
                                .path("executionClaim")
                                .path("calls")
                                .asLong())
                        .as("claims counted in %s", r)
                        .isPositive();
                assertThat(r.path("details")
                                .path("store_calls")
                                .path("executionCompleteMany")
                                .path("calls")
                                .asLong())
                        .as("completions counted in %s", r)
                        .isPositive();
                JsonNode spread = r.path("spread");
                assertThat(spread.path("worker_heap_bytes_per_execution")
                                .path("median")
                                .asDouble())
                        .as("heap allocated per execution in %s", r)
                        .isPositive();
                if (Files.isDirectory(Path.of("/proc/self/task"))) {
                    // The whole process's CPU less the compiler threads' (so never more than the whole).
                    assertThat(spread.has("worker_cpu_without_jit_us_per_execution"))
                            .as("worker CPU without the JIT in %s", r)
                            .isTrue();
                    assertThat(spread.path("worker_cpu_without_jit_us_per_execution")
                                    .path("median")
                                    .asDouble())
                            .as("worker CPU without the JIT in %s", r)
                            .isLessThanOrEqualTo(spread.path("worker_cpu_us_per_execution")
                                    .path("median")
                                    .asDouble());
                }
            }
            if (r.path("store").asString().equals("postgres")
                    && List.of("drain", "dag", "scaling")
                            .contains(r.path("scenario").asString())) {
                assertThat(r.path("baseline_ratio").asDouble())
                        .as("ratio to the baseline of %s", r)
                        .isPositive();
            }
        }
        assertThat(scenarios).contains("drain", "dag", "submit", "latency", "memory");
        if (pg) {
            assertThat(scenarios).contains("scaling", "baseline");
            Set<String> left = benchSchemas();
            left.removeAll(schemasBefore);
            assertThat(left).as("schemas the benchmark did not drop").isEmpty();
        }
        assertThat(doc.path("goals").size()).isEqualTo(13);
        assertThat(work.resolve("sqlite")).isEmptyDirectory();
    }

    private static boolean postgresReachable() {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return true; // in CI a missing database must fail, not skip
        }
        try (Connection c = PostgresTestDatabase.connect()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static Set<String> benchSchemas() throws SQLException {
        Set<String> out = new HashSet<>();
        try (Connection c = PostgresTestDatabase.connect();
                ResultSet rs = c.getMetaData().getSchemas()) {
            while (rs.next()) {
                String name = rs.getString("TABLE_SCHEM");
                if (name.startsWith("bench_")) {
                    out.add(name);
                }
            }
        }
        return out;
    }
}
