package io.nebula.worker.pool;

import io.nebula.worker.observe.Tracing;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.runtime.ExecutionRunner;

/** What the pool's parts share: built once by {@link Worker}, read by everything else. */
record PoolContext(
        PoolOptions options,
        ExecutionStore store,
        ExecutionRunner runner,
        WorkerListener listener,
        Tracing tracing,
        Slots slots,
        InFlight inFlight,
        ResultPublisher publisher,
        DefinitionCache definitions,
        KeyScopes keyScopes,
        PoolClock clock) {}
