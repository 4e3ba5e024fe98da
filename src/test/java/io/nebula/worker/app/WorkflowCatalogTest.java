package io.nebula.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.config.Setting;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.runtime.RuntimeOptions;
import io.nebula.worker.testing.TestConfigs;
import io.nebula.worker.workflow.Limits;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The engine's budgets come from {@code [limits]}: the engine's own defaults and the keys its
 * messages name are those of {@link Setting} (the engine may not read the configuration itself).
 */
class WorkflowCatalogTest {
    @Test
    void theEnginesDefaultsAndKeysAreTheSettings() {
        Limits l = Limits.defaults();
        RuntimeOptions r = RuntimeOptions.defaults();

        assertThat(l.maxBuiltBytes()).isEqualTo(Setting.EXPRESSION_BYTES.defaultValue());
        assertThat(l.evaluationTimeout().toMillis()).isEqualTo(Setting.EXPRESSION_TIMEOUT_MS.defaultValue());
        assertThat(l.maxRegexSize()).isEqualTo(Setting.REGEX_PROGRAM_SIZE.defaultValue());
        assertThat(l.maxExpressions()).isEqualTo(Setting.EXPRESSIONS_PER_DEFINITION.defaultValue());
        assertThat(l.compileTimeout().toMillis()).isEqualTo(Setting.COMPILE_TIMEOUT_MS.defaultValue());
        assertThat(l.cacheBytes()).isEqualTo(Setting.DEFINITION_CACHE_BYTES.defaultValue());
        assertThat(r.maxExecutionOutputBytes()).isEqualTo(Setting.EXECUTION_OUTPUT_BYTES.defaultValue());
        assertThat(r.maxErrorChars()).isEqualTo(Setting.ERROR_BYTES.defaultValue());
        assertThat(r.maxMapItems()).isEqualTo(Setting.MAP_ITEMS.defaultValue());
        assertThat(r.maxExecutionValues()).isEqualTo(Setting.EXECUTION_VALUES.defaultValue());
        assertThat(l.maxValues()).isEqualTo(Setting.EXECUTION_VALUES.defaultValue());

        assertThat(Limits.BUILT_BYTES_KEY).isEqualTo(Setting.EXPRESSION_BYTES.key());
        assertThat(Limits.EVALUATION_TIMEOUT_KEY).isEqualTo(Setting.EXPRESSION_TIMEOUT_MS.key());
        assertThat(Limits.REGEX_SIZE_KEY).isEqualTo(Setting.REGEX_PROGRAM_SIZE.key());
        assertThat(Limits.EXPRESSIONS_KEY).isEqualTo(Setting.EXPRESSIONS_PER_DEFINITION.key());
        assertThat(Limits.COMPILE_TIMEOUT_KEY).isEqualTo(Setting.COMPILE_TIMEOUT_MS.key());
        assertThat(Limits.CACHE_BYTES_KEY).isEqualTo(Setting.DEFINITION_CACHE_BYTES.key());
        assertThat(RuntimeOptions.EXECUTION_OUTPUT_KEY).isEqualTo(Setting.EXECUTION_OUTPUT_BYTES.key());
        assertThat(RuntimeOptions.ERROR_KEY).isEqualTo(Setting.ERROR_BYTES.key());
        assertThat(RuntimeOptions.MAP_ITEMS_KEY).isEqualTo(Setting.MAP_ITEMS.key());
        assertThat(RuntimeOptions.EXECUTION_VALUES_KEY).isEqualTo(Setting.EXECUTION_VALUES.key());
        assertThat(Limits.VALUES_KEY).isEqualTo(Setting.EXECUTION_VALUES.key());
        assertThat(WorkerConfig.Limits.defaults().definitionCacheBytes())
                .isEqualTo(Setting.DEFINITION_CACHE_BYTES.defaultValue());
    }

    @Test
    void configuredLimitsReachTheEngine() {
        WorkerConfig base = TestConfigs.sqlite(Path.of("unused.db"));
        WorkerConfig c = new WorkerConfig(
                base.worker(),
                base.queue(),
                base.database(),
                base.health(),
                base.tracing(),
                base.log(),
                base.runtime(),
                base.http(),
                base.console(),
                new WorkerConfig.Limits(
                        2048, Duration.ofMillis(250), 99, 77, Duration.ofMillis(600), 4096, 5555, 300, 1 << 21, 1234));

        Limits l = WorkflowCatalog.limits(c);
        RuntimeOptions r = WorkflowCatalog.runtimeOptions(c);

        assertThat(l.maxBuiltBytes()).isEqualTo(2048);
        assertThat(l.evaluationTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(l.maxRegexSize()).isEqualTo(99);
        assertThat(l.maxExpressions()).isEqualTo(77);
        assertThat(l.compileTimeout()).isEqualTo(Duration.ofMillis(600));
        assertThat(l.cacheBytes()).isEqualTo(1 << 21);
        assertThat(l.maxNodes()).isEqualTo(base.runtime().maxNodes());
        assertThat(r.maxExecutionOutputBytes()).isEqualTo(4096);
        assertThat(r.maxExecutionValues()).isEqualTo(5555);
        assertThat(l.maxValues()).isEqualTo(5555);
        assertThat(r.maxErrorChars()).isEqualTo(300);
        assertThat(r.maxMapItems()).isEqualTo(1234);
        assertThat(r.maxParallelNodes()).isEqualTo(base.runtime().maxParallelNodes());
    }

    @Test
    void secretsComeFromTheEnvironmentThenTheFolderThenProviderPluginsInThatOrder(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("A"), "a-from-the-folder");
        java.nio.file.Files.writeString(dir.resolve("B"), "b-from-the-folder");
        WorkerConfig c = TestConfigs.withSecrets(
                TestConfigs.sqlite(dir.resolve("x.db")), new WorkerConfig.Secrets("P_", dir.toString(), Duration.ZERO));
        io.nebula.worker.secret.SecretResolver r = WorkflowCatalog.secrets(
                c, WorkflowCatalog.actions(c, java.util.List.of()), java.util.Map.of("P_A", "a-from-the-env")::get);

        assertThat(r.providers())
                .extracting(io.nebula.worker.secret.SecretProvider::name)
                .containsExactly("env", "files", "test-plugin");
        assertThat(r.resolve("A")).isEqualTo("a-from-the-env");
        assertThat(r.resolve("B")).isEqualTo("b-from-the-folder");
        assertThat(r.resolve(io.nebula.worker.secret.PluginSecrets.NAME))
                .isEqualTo(io.nebula.worker.secret.PluginSecrets.VALUE);

        WorkerConfig none = TestConfigs.withSecrets(c, new WorkerConfig.Secrets("", null, Duration.ZERO));
        assertThat(WorkflowCatalog.secrets(none, WorkflowCatalog.actions(none, java.util.List.of()), k -> "x")
                        .providers())
                .extracting(io.nebula.worker.secret.SecretProvider::name)
                .containsExactly("test-plugin");
    }
}
