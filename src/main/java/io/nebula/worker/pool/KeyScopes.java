package io.nebula.worker.pool;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.Installation;

/**
 * The store's {@link Installation}, read once on first use (it never changes) and asked for the
 * key scope of each execution. A failed read is not remembered: the next execution asks again.
 */
final class KeyScopes {
    private final ExecutionStore store;
    private volatile Installation installation;

    KeyScopes(ExecutionStore store) {
        this.store = store;
    }

    /**
     * Reads the installation before the first execution needs it, so the claim path never takes
     * the first-use branch (hundreds of executions starting at once would each leave compiled code
     * through it). A failure is left for {@link #of} to meet again.
     */
    void prime() {
        if (installation == null) {
            try {
                installation = store.installation();
            } catch (RuntimeException e) {
                // of() reads it again for the first execution.
            }
        }
    }

    /**
     * The installation id for an execution submitted since the store had one, else {@code null}.
     *
     * @throws io.nebula.worker.queue.StoreException when the store cannot be read
     */
    String of(long executionId) {
        Installation i = installation;
        if (i == null) {
            i = store.installation();
            installation = i;
        }
        return i.keyScope(executionId);
    }
}
