package io.nebula.worker.archfixture.config;

import io.nebula.worker.archfixture.cli.FixtureCommand;

/** Breaks the rules: configuration, the bottom layer, depends on the command line. */
public class FixtureSettings {
    public String name() {
        return FixtureCommand.NAME.toUpperCase(java.util.Locale.ROOT);
    }
}
