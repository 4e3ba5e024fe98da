package io.nebula.worker.cli.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.nebula.worker.config.LogFilter;
import io.nebula.worker.config.Setting;

/**
 * Logback's first configuration, found through {@code META-INF/services}: the default filter
 * ({@code nebula_worker=info}) and text lines on stderr. It stops Logback from searching for and
 * parsing XML files, and it makes anything logged before the configuration is loaded look like
 * everything after. {@link LogSetup#apply} replaces it once the configuration is known.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class StartupLogConfigurator extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LogSetup.install(context, LogFilter.parse((String) Setting.LOG_FILTER.defaultValue()), "text");
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
