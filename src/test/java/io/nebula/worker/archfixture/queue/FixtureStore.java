package io.nebula.worker.archfixture.queue;

import io.nebula.worker.archfixture.pool.FixturePool;

/** Breaks the rules: a queue class that reaches up into the pool. */
public class FixtureStore {
    public int slots(FixturePool pool) {
        return pool.size();
    }
}
