package io.nebula.worker.archfixture.pool;

import io.nebula.worker.archfixture.queue.FixtureStore;

/** Allowed: the pool uses the queue below it. */
public class FixturePool {
    public int size() {
        return 1;
    }

    public int claim(FixtureStore store) {
        return store.slots(this);
    }
}
