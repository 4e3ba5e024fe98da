package io.nebula.worker.archfixture.pool;

import io.nebula.worker.archfixture.queue.ExecutionStore;

/** Breaks the rules: a hot-path part of the pool that depends on the whole store. */
public class Heartbeater {
    private final ExecutionStore store;

    public Heartbeater(ExecutionStore store) {
        this.store = store;
    }

    public boolean beat() {
        return store.connection() != null;
    }
}
