package io.nebula.worker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.cli.Main;
import io.nebula.worker.config.ConfigLoader;
import io.nebula.worker.config.Setting;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

    @Test
    void theWorkerMainClassIsTheCommandLineEntryPoint() {
        assertThat(ChildJvm.WORKER_MAIN).isEqualTo(Main.class.getName());
    }

    @Test
    void everySettingsVariableIsScrubbedFromTheChildsEnvironment() {
        List<String> settingVariables = Arrays.stream(Setting.values())
                .map(Setting::env)
                .flatMap(Optional::stream)
                .toList();
        assertThat(settingVariables).contains("DATABASE_URL", "WORKER_CONCURRENCY", "NEBULA_LOG_FORMAT");

        Map<String, String> env = new HashMap<>();
        settingVariables.forEach(v -> env.put(v, "x"));
        env.put(ConfigLoader.CONFIG_ENV, "/etc/nebula.toml");
        env.put(Setting.LOG_FILTER_FALLBACK_ENV, "debug");
        env.put("JAVA_TOOL_OPTIONS", "-Xmx1g");
        env.put("PATH", "/usr/bin");
        env.put("HOME", "/home/x");

        ChildJvm.scrub(env);

        assertThat(env).containsOnlyKeys("PATH", "HOME");
    }

    @Test
    void aWorkerBuilderStartsTheEntryPointWithItsConfigurationAndAScrubbedEnvironment() {
        ChildJvm jvm = new ChildJvm(Path.of("/jdk/bin/java"), List.of("-Xmx64m"), "a.jar:b.jar");

        ProcessBuilder pb = jvm.worker(Path.of("/run/w.toml"), List.of("--worker-id", "w1"));

        assertThat(pb.command())
                .containsExactly(
                        "/jdk/bin/java",
                        "-Xmx64m",
                        "-cp",
                        "a.jar:b.jar",
                        ChildJvm.WORKER_MAIN,
                        "--config",
                        "/run/w.toml",
                        "--worker-id",
                        "w1");
        assertThat(pb.environment()).doesNotContainKeys(ChildJvm.SCRUBBED.toArray(String[]::new));
    }

    @Test
    void aHeapCollectorOrArchiveAmongTheExtraOptionsReplacesTheBenchmarkDefaults() {
        Path jsa = Path.of("/tmp/w.jsa");
        assertThat(ChildJvm.sized(List.of(), jsa).jvmOptions())
                .contains("-Xmx256m", "-Xmn32m", "-XX:+UseSerialGC", "-XX:SharedArchiveFile=" + jsa);

        List<String> opts = ChildJvm.sized(List.of("-Xmx1g", "-XX:+UseParallelGC", "-Xshare:off"), jsa)
                .jvmOptions();
        assertThat(opts).doesNotContain("-Xmx256m", "-Xmn32m", "-XX:+UseSerialGC", "-XX:SharedArchiveFile=" + jsa);
        assertThat(opts).endsWith("-Xmx1g", "-XX:+UseParallelGC", "-Xshare:off");

        for (String own :
                List.of("-XX:ArchiveClassesAtExit=/tmp/x.jsa", "-XX:AOTMode=record", "-XX:AOTCache=/tmp/x.aot")) {
            assertThat(ChildJvm.sized(List.of(own), jsa).jvmOptions())
                    .as(own)
                    .doesNotContain("-XX:SharedArchiveFile=" + jsa, "-XX:+AutoCreateSharedArchive");
        }
    }

    @Test
    void theClassPathHoldsThisJvmsTestAndMainClasses() throws Exception {
        List<String> entries = List.of(ChildJvm.currentClassPath().split(java.io.File.pathSeparator));
        assertThat(entries)
                .contains(
                        codeSource(ChildJvmTest.class).toString(),
                        codeSource(ChildJvm.class).toString());
    }

    private static Path codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
