package io.nebula.worker.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.config.ConfigLoader;
import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.WorkerConfig;
import io.nebula.worker.pool.PoolOptions;
import io.nebula.worker.runtime.RuntimeOptions;
import io.nebula.worker.workflow.Limits;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The option records' own defaults (for embedding and tests) are the configuration's defaults: a
 * default changed in {@code config.Setting} and not in a record, or the other way round, fails here.
 */
class OptionDefaultsTest {
    /** The configuration with nothing set: no file, no environment, no flags. */
    private static final WorkerConfig DEFAULTS =
            new ConfigLoader(Map.of(), Path.of("."), () -> "pool-1").load(null, FlagOverrides.none());

    @Test
    void poolOptionsDefaultToTheConfigurationsDefaults() {
        PoolOptions fromConfig = PoolOptions.from(DEFAULTS, "worker-1");

        assertThat(PoolOptions.defaults("worker-1"))
                .usingRecursiveComparison()
                .ignoringFields("poolId")
                .isEqualTo(fromConfig);
    }

    @Test
    void runtimeOptionsDefaultToTheConfigurationsDefaults() {
        assertThat(RuntimeOptions.defaults()).isEqualTo(WorkflowCatalog.runtimeOptions(DEFAULTS));
    }

    @Test
    void workflowLimitsDefaultToTheConfigurationsDefaults() {
        assertThat(Limits.defaults()).isEqualTo(WorkflowCatalog.limits(DEFAULTS));
    }
}
