package io.nebula.worker.archfixture.runtime;

import io.nebula.worker.archfixture.queue.postgres.FixturePgStore;

/** Breaks the rules: the runtime reaches past the store port to a PostgreSQL class. */
public class FixtureRunner {
    public String run(FixturePgStore store) {
        return store.url();
    }
}
