package io.nebula.worker.pool;

import io.nebula.worker.observe.Tracing;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.LeaseStore;
import io.nebula.worker.runtime.ExecutionRunner;

/**
 * What the pool's parts share: built once by {@link Worker}, read by everything else. {@code leases}
 * is the hot-path role of {@code store} (the same object in a worker): the claim loop, the
 * heartbeater and the result publisher use only it.
 */
record PoolContext(
        PoolOptions options,
        ExecutionStore store,
        LeaseStore leases,
        ExecutionRunner runner,
        WorkerListener listener,
        Tracing tracing,
        Slots slots,
        InFlight inFlight,
        ResultPublisher publisher,
        DefinitionCache definitions,
        KeyScopes keyScopes,
        PoolClock clock) {}
