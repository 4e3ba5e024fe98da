package io.nebula.worker.cli;

import io.nebula.worker.config.FlagOverrides;
import io.nebula.worker.config.Setting;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every command shares: {@code --config}, {@code -v/--verbose}, {@code --log-format}
 * and {@code --help}. Use it in a subcommand as {@code @Mixin CommonOptions common;}.
 *
 * <p>Values may be given before or after the subcommand ({@code nebula-worker --config f.toml
 * submit ...} or {@code nebula-worker submit --config f.toml ...}): the accessors fall back to the
 * parent command's mixin, and {@code -v} counts add up.
 */
public final class CommonOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--config", paramLabel = "<FILE>", description = "Configuration file path [env: NEBULA_CONFIG]")
    private Path config;

    @Option(
            names = {"-v", "--verbose"},
            description = "Enable verbose logging (-v debug, -vv trace) [env: NEBULA_LOG]")
    private boolean[] verbose = new boolean[0];

    @Option(
            names = "--log-format",
            paramLabel = "<FORMAT>",
            description = "Log line format, text or json [default: text] [env: NEBULA_LOG_FORMAT]")
    private String logFormat;

    @Option(names = "--help", usageHelp = true, description = "Display help information")
    private boolean help;

    /** The {@code --config} file given here or to a parent command, or {@code null}. */
    public Path configFile() {
        if (config != null) {
            return config;
        }
        CommonOptions parent = parent();
        return parent == null ? null : parent.configFile();
    }

    /** How many times {@code -v} was given, here and to parent commands ({@code --verbose=false} not counted). */
    public int verbosity() {
        CommonOptions parent = parent();
        int given = 0;
        for (boolean v : verbose) {
            given += v ? 1 : 0;
        }
        return given + (parent == null ? 0 : parent.verbosity());
    }

    /** The {@code --log-format} given here or to a parent command, or {@code null}. */
    public String logFormat() {
        if (logFormat != null) {
            return logFormat;
        }
        CommonOptions parent = parent();
        return parent == null ? null : parent.logFormat();
    }

    /** These options as the flag layer of configuration. */
    public FlagOverrides flags() {
        return FlagOverrides.none().withVerbosity(verbosity()).with(Setting.LOG_FORMAT, logFormat());
    }

    private CommonOptions parent() {
        if (mixee == null || mixee.parent() == null) {
            return null;
        }
        return mixee.parent().mixins().values().stream()
                .map(CommandSpec::userObject)
                .filter(CommonOptions.class::isInstance)
                .map(CommonOptions.class::cast)
                .findFirst()
                .orElse(null);
    }
}
