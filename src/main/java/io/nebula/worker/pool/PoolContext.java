package io.nebula.worker.pool;

import io.nebula.worker.observe.Tracing;
import io.nebula.worker.observe.WorkerListener;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.LeaseStore;
import io.nebula.worker.queue.MaintenanceStore;
import io.nebula.worker.runtime.ExecutionRunner;

/**
 * What the pool's parts share: built once by {@link Worker}, read by everything else. The claim
 * loops, the heartbeater and the result publisher use only {@code leases}, the maintainer only
 * {@code maintenance}; the parts that read definitions, signals and child executions use the
 * whole {@code store}.
 */
record PoolContext(
        PoolOptions options,
        ExecutionStore store,
        LeaseStore leases,
        MaintenanceStore maintenance,
        ExecutionRunner runner,
        WorkerListener listener,
        Tracing tracing,
        Slots slots,
        InFlight inFlight,
        ResultPublisher publisher,
        KeyScopes keyScopes,
        PoolClock clock) {}
