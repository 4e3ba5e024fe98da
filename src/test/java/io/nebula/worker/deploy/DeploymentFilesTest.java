package io.nebula.worker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.config.DatabaseUrls;
import io.nebula.worker.config.Setting;
import io.nebula.worker.config.Source;
import io.nebula.worker.observe.AttemptOutcome;
import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.PrometheusMetrics;
import io.nebula.worker.queue.ExecutionState;
import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.RescueResult;
import io.nebula.worker.testing.PrometheusText;
import io.nebula.worker.testing.StandInJava;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The files in {@code deploy/}, checked without Docker or Kubernetes: they parse, and what they
 * say agrees with the code: ports, probes, the image's command and build, the shutdown grace
 * period, the documented autoscaler and every metric name the dashboard and scalers query.
 */
class DeploymentFilesTest {
    static final Path ROOT = Path.of(System.getProperty("nebula.project.dir", "."));
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final YAMLMapper YAML = YAMLMapper.builder().build();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<String> SEED_COMMAND = List.of("nebula-worker", "--concurrency", "4");
    static final int HEALTH_PORT = Integer.parseInt(String.valueOf(Setting.HEALTH_PORT.defaultValue()));
    static final int SHUTDOWN_SECONDS =
            Integer.parseInt(String.valueOf(Setting.SHUTDOWN_TIMEOUT_SECONDS.defaultValue()));

    /** The documented HorizontalPodAutoscaler of the public contract, verbatim. */
    static final String SEED_HPA = """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: nebula-worker-hpa
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: nebula-worker
              minReplicas: 2
              maxReplicas: 50
              metrics:
              - type: Resource
                resource:
                  name: cpu
                  target:
                    type: Utilization
                    averageUtilization: 70
              - type: External
                external:
                  metric:
                    name: queue_depth
                    selector:
                      matchLabels:
                        queue: nebula_jobs
                  target:
                    type: AverageValue
                    averageValue: "30"
            """;

    static JsonNode yaml(String file) throws Exception {
        return YAML.readTree(Files.readString(DEPLOY.resolve(file)));
    }

    // ---- Dockerfile ---------------------------------------------------------------------------------

    /** Instructions with continuation lines joined and comments dropped. */
    static List<String> instructions() throws Exception {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DEPLOY.resolve("Dockerfile"))) {
            String t = line.strip();
            if (t.startsWith("#") || t.isEmpty()) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            out.add(current.append(t).toString().replaceAll("\\s+", " "));
            current.setLength(0);
        }
        return out;
    }

    @Test
    void dockerfileBuildsWithTheProjectsOwnBuildCommandInAJdkStage() throws Exception {
        List<String> ins = instructions();
        List<String> froms = ins.stream().filter(i -> i.startsWith("FROM ")).toList();
        assertThat(froms).hasSize(2);
        assertThat(froms.get(0)).contains("-jdk").endsWith(" AS build");
        assertThat(froms.get(1)).contains("-jre");

        String build = ins.stream()
                .filter(i -> i.startsWith("RUN ") && i.contains("mvnw"))
                .findFirst()
                .orElseThrow();
        List<String> dockerBuild = mavenCommand(build);
        assertThat(String.join(" ", dockerBuild)).isEqualTo("./mvnw -B -DskipTests package");

        // bin/nebula-worker builds the jar people run with the same goal and flags (it adds -q).
        String launcher = Files.readString(ROOT.resolve("bin/nebula-worker"));
        Matcher m = Pattern.compile("\\./mvnw [^)\\n>]*package").matcher(launcher);
        assertThat(m.find()).isTrue();
        List<String> launcherBuild = new ArrayList<>(List.of(m.group().split(" ")));
        launcherBuild.remove("-q");
        assertThat(new TreeSet<>(launcherBuild)).isEqualTo(new TreeSet<>(dockerBuild));
        // CI runs the same Maven in batch mode.
        assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("./mvnw -B verify");
    }

    private static List<String> mavenCommand(String run) {
        String cmd = run.substring(run.indexOf("./mvnw"));
        return List.of(cmd.strip().split(" "));
    }

    @Test
    void dockerfileCopiesTheShadedJarAndOnlyFilesThatExist() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        String jar = "target/" + finalName.group(1) + ".jar";

        List<String> copies =
                instructions().stream().filter(i -> i.startsWith("COPY ")).toList();
        assertThat(copies).anyMatch(c -> c.startsWith("COPY --from=build /src/" + jar + " /app/nebula-worker.jar"));
        for (String c : copies) {
            if (c.contains("--from=")) {
                continue;
            }
            String[] words = c.replaceAll("--chmod=\\S+ ", "").split(" ");
            for (int i = 1; i < words.length - 1; i++) {
                assertThat(ROOT.resolve(words[i])).as(c).exists();
            }
        }
    }

    @Test
    void imageRunsTheJarAsANonRootUserOnTheHealthPort() throws Exception {
        List<String> ins = instructions();
        String user = ins.stream()
                .filter(i -> i.startsWith("USER "))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertThat(user).doesNotContain("root").isNotEqualTo("USER 0").isEqualTo("USER 10001:10001");
        assertThat(ins).contains("EXPOSE " + HEALTH_PORT);
        String cmd = ins.stream()
                .filter(i -> i.startsWith("CMD "))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertThat(JSON.readTree(cmd.substring(4)).get(0).asString()).isEqualTo("nebula-worker");
        assertThat(ins).noneMatch(i -> i.startsWith("ENTRYPOINT"));
        assertThat(ins).contains("COPY --chmod=0755 deploy/docker/nebula-worker /usr/local/bin/nebula-worker");

        String launcher = Files.readString(DEPLOY.resolve("docker/nebula-worker"));
        assertThat(launcher)
                .startsWith("#!/bin/sh")
                .contains("exec java ")
                .contains("-jar /app/nebula-worker.jar \"$@\"");
    }

    @Test
    void theImagesBuildWritesAClassDataSharingArchiveFromTheDemoAsRoot() throws Exception {
        List<String> ins = instructions();
        int runtime = lastIndexOf(ins, i -> i.startsWith("FROM "));
        int training = lastIndexOf(ins, i -> i.startsWith("RUN ") && i.contains("ArchiveClassesAtExit"));
        int user = lastIndexOf(ins, i -> i.startsWith("USER "));
        int jar = lastIndexOf(ins, i -> i.startsWith("COPY ") && i.endsWith(" /app/nebula-worker.jar"));
        int examples = lastIndexOf(ins, i -> i.startsWith("COPY examples/ /app/examples/"));
        assertThat(training)
                .isGreaterThan(runtime)
                .isGreaterThan(jar)
                .isGreaterThan(examples)
                .isLessThan(user);

        String run = ins.get(training);
        assertThat(run)
                // Through the image's own command, so with the JVM options a worker runs with.
                .startsWith("RUN JAVA_OPTS=\"-XX:ArchiveClassesAtExit=/app/nebula-worker.jsa ")
                .contains("\" nebula-worker demo --exit-when-done --examples /app/examples ")
                // A failed demo drops what it may have written, and the build goes on.
                .containsPattern("\\|\\| \\{[^}]*rm -f /app/nebula-worker\\.jsa;[^}]*}")
                // The demo's database does not stay in the image.
                .contains("rm -f /app/data/nebula-demo.db /app/data/nebula-demo.db-wal /app/data/nebula-demo.db-shm");
    }

    @Test
    void theImagesCommandMapsTheArchiveWhenTheBuildWroteOneAndJavaOptsNamesNone(@TempDir Path dir) throws Exception {
        // The image's command with /app/ moved to a folder of this test, and a java that writes
        // down its arguments.
        Path app = Files.createDirectories(dir.resolve("app"));
        Path command = dir.resolve("nebula-worker");
        Files.writeString(
                command,
                Files.readString(DEPLOY.resolve("docker/nebula-worker")).replace("/app/", app + "/"));
        StandInJava java = StandInJava.in(dir.resolve("jdk"));
        String archive = "-XX:SharedArchiveFile=" + app + "/nebula-worker.jsa";

        assertThat(imageCommand(command, java, "")).noneMatch(a -> a.contains("SharedArchive"));

        Files.writeString(app.resolve("nebula-worker.jsa"), "archive");
        assertThat(imageCommand(command, java, ""))
                .contains(archive, "-Xlog:cds=off")
                .endsWith("-jar", app + "/nebula-worker.jar", "--concurrency", "4");
        assertThat(imageCommand(command, java, "-XX:SharedArchiveFile=/mine.jsa"))
                .doesNotContain(archive)
                .contains("-XX:SharedArchiveFile=/mine.jsa");
        for (String own : List.of("-Xshare:off", "-XX:ArchiveClassesAtExit=/x.jsa", "-XX:AOTMode=record")) {
            assertThat(imageCommand(command, java, own)).as(own).doesNotContain(archive);
        }
        // The JVM also reads JAVA_TOOL_OPTIONS (the stand-in java does not, so it is not among
        // the arguments).
        assertThat(imageCommand(command, java, "", Map.of("JAVA_TOOL_OPTIONS", "-XX:AOTCache=/x.aot")))
                .doesNotContain(archive);
        // The layout the archive was written with, whatever memory the container sees.
        assertThat(imageCommand(command, java, "")).contains("-XX:+UseCompressedOops");
        for (String own : List.of("-XX:-UseCompressedOops", "-Xmx40g", "-XX:MaxRAMPercentage=90")) {
            assertThat(imageCommand(command, java, own)).as(own).doesNotContain("-XX:+UseCompressedOops");
        }
    }

    private static List<String> imageCommand(Path command, StandInJava java, String javaOpts) throws Exception {
        return imageCommand(command, java, javaOpts, Map.of());
    }

    private static List<String> imageCommand(Path command, StandInJava java, String javaOpts, Map<String, String> env)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", command.toString(), "--concurrency", "4");
        pb.environment().put("PATH", java.bin() + ":" + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        Map<String, String> set = new HashMap<>(env);
        set.put("JAVA_OPTS", javaOpts);
        return java.run(pb, set);
    }

    private static int lastIndexOf(List<String> list, Predicate<String> p) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (p.test(list.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no instruction matches");
    }

    // ---- docker-compose -----------------------------------------------------------------------------

    @Test
    void composeRunsTheSeedsCommandAndEnvironmentAsReplicasAgainstPostgres() throws Exception {
        JsonNode compose = yaml("docker-compose.yml");
        JsonNode worker = compose.at("/services/worker");
        assertThat(JSON.convertValue(worker.get("command"), List.class)).isEqualTo(SEED_COMMAND);
        assertThat(worker.at("/deploy/replicas").asInt()).isEqualTo(10);
        List<String> env = new ArrayList<>();
        worker.get("environment").forEach(e -> env.add(e.asString()));
        assertThat(env).contains("DATABASE_URL=postgres://db/nebula");
        DatabaseUrl url = DatabaseUrls.parse("postgres://db/nebula", Source.builtIn());
        assertThat(url).isInstanceOf(DatabaseUrl.Postgres.class);
        assertThat(((DatabaseUrl.Postgres) url).jdbcUrl()).contains("//db:5432/nebula");
        assertThat(compose.at("/services/db/image").asString()).startsWith("postgres:");
        assertThat(compose.at("/services/db/environment/POSTGRES_DB").asString())
                .isEqualTo("nebula");

        Duration grace =
                Duration.parse("PT" + worker.get("stop_grace_period").asString().toUpperCase());
        assertThat(grace).isGreaterThan(Duration.ofSeconds(SHUTDOWN_SECONDS));
        assertThat(env).contains("WORKER_SHUTDOWN_TIMEOUT_SECONDS=" + SHUTDOWN_SECONDS);

        Path dockerfile = DEPLOY.resolve(worker.at("/build/context").asString())
                .resolve(worker.at("/build/dockerfile").asString())
                .normalize();
        assertThat(dockerfile).isEqualTo(DEPLOY.resolve("Dockerfile").normalize());
        assertThat(worker.get("expose").get(0).asString()).isEqualTo(String.valueOf(HEALTH_PORT));
    }

    // ---- Kubernetes ---------------------------------------------------------------------------------

    @Test
    void deploymentProbesTheHealthPortAndOutlastsTheShutdownTimeout() throws Exception {
        JsonNode d = yaml("kubernetes/deployment.yaml");
        assertThat(d.get("kind").asString()).isEqualTo("Deployment");
        assertThat(d.at("/metadata/name").asString()).isEqualTo("nebula-worker");
        JsonNode pod = d.at("/spec/template/spec");
        JsonNode c = pod.get("containers").get(0);
        assertThat(JSON.convertValue(c.get("command"), List.class)).isEqualTo(SEED_COMMAND);

        JsonNode port = c.get("ports").get(0);
        assertThat(port.get("containerPort").asInt()).isEqualTo(HEALTH_PORT);
        String portName = port.get("name").asString();
        assertThat(c.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/health");
        assertThat(c.at("/livenessProbe/httpGet/port").asString()).isEqualTo(portName);
        assertThat(c.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/ready");
        assertThat(c.at("/readinessProbe/httpGet/port").asString()).isEqualTo(portName);
        assertThat(c.at("/startupProbe/httpGet/path").asString()).isEqualTo("/health");

        Map<String, String> env = env(c);
        int shutdown = Integer.parseInt(env.getOrDefault("WORKER_SHUTDOWN_TIMEOUT_SECONDS", "" + SHUTDOWN_SECONDS));
        assertThat(pod.get("terminationGracePeriodSeconds").asInt())
                .isGreaterThan(shutdown)
                .isGreaterThan(SHUTDOWN_SECONDS);
        assertThat(env).containsEntry("HEALTH_PORT", String.valueOf(HEALTH_PORT));
        assertThat(c.at("/env").findValues("secretKeyRef")).isNotEmpty();

        assertThat(c.at("/resources/requests/cpu").isMissingNode()).isFalse();
        assertThat(c.at("/resources/requests/memory").isMissingNode()).isFalse();
        assertThat(c.at("/resources/limits/memory").isMissingNode()).isFalse();
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(10001);
        assertThat(d.at("/spec/template/metadata/annotations/prometheus.io~1port")
                        .asString())
                .isEqualTo(String.valueOf(HEALTH_PORT));
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.HashMap<>();
        container.get("env").forEach(e -> {
            if (e.has("value")) {
                env.put(e.get("name").asString(), e.get("value").asString());
            }
        });
        return env;
    }

    @Test
    void theHpaIsTheSeedsPlusTheLagSignalAndTargetsTheDeploymentAndItsQueue() throws Exception {
        JsonNode hpa = yaml("kubernetes/hpa.yaml");
        // The seed's autoscaler, unchanged, with one more metric after its two.
        JsonNode seed = YAML.readTree(SEED_HPA);
        JsonNode metrics = hpa.at("/spec/metrics");
        assertThat(metrics).hasSize(3);
        assertThat(metrics.get(0)).isEqualTo(seed.at("/spec/metrics/0"));
        assertThat(metrics.get(1)).isEqualTo(seed.at("/spec/metrics/1"));
        JsonNode withoutLag = hpa.deepCopy();
        ((tools.jackson.databind.node.ArrayNode) withoutLag.at("/spec/metrics")).remove(2);
        assertThat(withoutLag).isEqualTo(seed);

        JsonNode lag = metrics.get(2);
        assertThat(lag.at("/external/metric/name").asString()).isEqualTo("queue_lag_seconds");
        assertThat(lag.at("/external/target/type").asString()).isEqualTo("Value");
        assertThat(lag.at("/external/target/value").asString()).isEqualTo("30");

        JsonNode d = yaml("kubernetes/deployment.yaml");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asString())
                .isEqualTo(d.at("/metadata/name").asString());
        List<String> served = List.of(env(d.at("/spec/template/spec/containers/0"))
                .get("WORKER_QUEUES")
                .split(","));
        for (int i = 1; i <= 2; i++) {
            assertThat(served)
                    .contains(metrics.get(i)
                            .at("/external/metric/selector/matchLabels/queue")
                            .asString());
        }

        // Each external metric is served by one adapter rule from the worker's metric of that name.
        Map<String, String> adapted = new java.util.HashMap<>();
        for (JsonNode rule : yaml("kubernetes/prometheus-adapter-rules.yaml").at("/rules/external")) {
            Set<String> series = metricNames(rule.get("seriesQuery").asString());
            assertThat(series).hasSize(1);
            String name = series.iterator().next();
            // The query reads that metric, and leaves paused queues out through worker_queue_paused.
            assertThat(metricNames(rule.get("metricsQuery").asString()))
                    .containsExactlyInAnyOrder(name, "worker_queue_paused");
            adapted.put(rule.at("/name/as").asString(), name);
        }
        assertThat(adapted)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("queue_depth", "worker_queue_depth", "queue_lag_seconds", "worker_queue_lag_seconds"));
        assertThat(exportedMetricNames()).containsAll(adapted.values()).contains("worker_queue_paused");
    }

    @Test
    void kedaScalesTheSameDeploymentOnQueueDepthLagAndCpu() throws Exception {
        JsonNode keda = yaml("kubernetes/keda-scaledobject.yaml");
        assertThat(keda.get("apiVersion").asString()).isEqualTo("keda.sh/v1alpha1");
        assertThat(keda.get("kind").asString()).isEqualTo("ScaledObject");
        assertThat(keda.at("/spec/scaleTargetRef/name").asString()).isEqualTo("nebula-worker");
        assertThat(keda.at("/spec/minReplicaCount").asInt()).isEqualTo(2);
        assertThat(keda.at("/spec/maxReplicaCount").asInt()).isEqualTo(50);
        JsonNode depth = keda.at("/spec/triggers/0");
        assertThat(depth.get("type").asString()).isEqualTo("prometheus");
        assertThat(depth.get("metricType").asString()).isEqualTo("AverageValue");
        String query = depth.at("/metadata/query").asString();
        assertThat(metricNames(query)).containsExactlyInAnyOrder("worker_queue_depth", "worker_queue_paused");
        assertThat(query).contains("queue=\"nebula_jobs\"");
        assertThat(depth.at("/metadata/threshold").asString()).isEqualTo("30");
        JsonNode lag = keda.at("/spec/triggers/1");
        assertThat(lag.get("type").asString()).isEqualTo("prometheus");
        assertThat(lag.get("metricType").asString()).isEqualTo("Value");
        String lagQuery = lag.at("/metadata/query").asString();
        assertThat(metricNames(lagQuery)).containsExactlyInAnyOrder("worker_queue_lag_seconds", "worker_queue_paused");
        assertThat(lagQuery).contains("queue=\"nebula_jobs\"");
        assertThat(lag.at("/metadata/threshold").asString()).isEqualTo("30");
        JsonNode cpu = keda.at("/spec/triggers/2");
        assertThat(cpu.get("type").asString()).isEqualTo("cpu");
        assertThat(cpu.at("/metadata/value").asString()).isEqualTo("70");
        assertThat(exportedMetricNames())
                .contains("worker_queue_depth", "worker_queue_lag_seconds", "worker_queue_paused");
    }

    @Test
    void theServiceExposesTheHealthPort() throws Exception {
        JsonNode s = yaml("kubernetes/service.yaml");
        assertThat(s.at("/spec/ports/0/port").asInt()).isEqualTo(HEALTH_PORT);
        assertThat(s.at("/spec/selector/app.kubernetes.io~1name").asString()).isEqualTo("nebula-worker");
    }

    // ---- Grafana ------------------------------------------------------------------------------------

    @Test
    void everyMetricTheDashboardQueriesIsOneTheWorkerExports() throws Exception {
        JsonNode dash = JSON.readTree(Files.readString(DEPLOY.resolve("grafana/nebula-worker-dashboard.json")));
        Set<String> exported = exportedMetricNames();
        Set<String> used = new TreeSet<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dash.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("unique panel id").isTrue();
            assertThat(panel.at("/datasource/uid").asString()).isEqualTo("${datasource}");
            assertThat(panel.get("targets")).isNotEmpty();
            for (JsonNode t : panel.get("targets")) {
                used.addAll(metricNames(t.get("expr").asString()));
            }
        }
        assertThat(exported).containsAll(used);
        // The five contract metrics are all on the dashboard.
        assertThat(used)
                .contains(
                        "worker_jobs_processed_total",
                        "worker_jobs_failed_total",
                        "worker_job_duration_seconds_bucket",
                        "worker_active_jobs",
                        "worker_queue_depth");
    }

    /** The histograms whose observations carry the current span as exemplar (with tracing on). */
    static final Set<String> WITH_EXEMPLARS = Set.of(
            "worker_job_duration_seconds_bucket",
            "worker_queue_wait_seconds_bucket",
            "worker_node_duration_seconds_bucket");

    @Test
    void theLatencyPanelsAskForExemplarsWhereTheHistogramHasThem() throws Exception {
        JsonNode dash = JSON.readTree(Files.readString(DEPLOY.resolve("grafana/nebula-worker-dashboard.json")));
        Set<String> withExemplars = new TreeSet<>();
        for (JsonNode panel : dash.get("panels")) {
            for (JsonNode t : panel.get("targets")) {
                Set<String> names = metricNames(t.get("expr").asString());
                boolean traced = names.stream().anyMatch(WITH_EXEMPLARS::contains);
                assertThat(t.path("exemplar").asBoolean(false))
                        .as(
                                "exemplar of %s in panel %s",
                                t.get("expr").asString(), panel.get("title").asString())
                        .isEqualTo(traced);
                if (traced) {
                    names.stream().filter(WITH_EXEMPLARS::contains).forEach(withExemplars::add);
                }
            }
        }
        assertThat(withExemplars).isEqualTo(WITH_EXEMPLARS);
    }

    static Set<String> metricNames(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\bworker_[a-z0-9_]+").matcher(promql);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    /** Every family and sample name the worker's metrics expose once each has seen an event. */
    static Set<String> exportedMetricNames() throws Exception {
        PrometheusMetrics metrics =
                new PrometheusMetrics(() -> 1, 4, () -> Map.of("active", 1, "idle", 1), List.of("default"));
        ExecutionEvent e = new ExecutionEvent(1, "wf", "default", 1, 1);
        metrics.claimed(1, 1);
        metrics.executionStarted(e, Duration.ofMillis(5));
        for (AttemptOutcome o : AttemptOutcome.values()) {
            metrics.executionEnded(e, o, Duration.ofMillis(10), null);
        }
        metrics.nodeEnded(e, "n", "noop", "succeeded", Duration.ofMillis(1), null);
        metrics.leaseLost(e);
        metrics.heartbeat(false, 1, Duration.ofMillis(1));
        metrics.rescued(new RescueResult(1, 1, 1, 1));
        metrics.pruned(1);
        metrics.leadership(true);
        metrics.queueStats(List.of(new QueueStats(
                "default",
                Map.of(ExecutionState.AVAILABLE, 3L, ExecutionState.RUNNING, 1L),
                2,
                Duration.ofSeconds(4),
                1,
                false,
                false,
                Instant.now())));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        Set<String> names = new HashSet<>();
        for (PrometheusText.Family f :
                PrometheusText.parse(out.toString(StandardCharsets.UTF_8)).values()) {
            names.add(f.name());
            f.samples().forEach(s -> names.add(s.name()));
        }
        return names;
    }
}
