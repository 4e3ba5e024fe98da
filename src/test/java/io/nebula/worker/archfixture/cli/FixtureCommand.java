package io.nebula.worker.archfixture.cli;

import io.nebula.worker.archfixture.config.FixtureSettings;

/** Allowed: the command line uses configuration. */
public class FixtureCommand {
    public static final String NAME = new String("fixture");

    public String run(FixtureSettings settings) {
        return settings.name();
    }
}
