package io.nebula.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;

/** The in-memory lease store against the hot-path half of the store contract, on a manual clock. */
class InMemoryLeaseStoreTest extends LeaseStoreContract {
    private ManualClock clock;
    private InMemoryLeaseStore store;

    @BeforeEach
    void open() {
        clock = new ManualClock(Instant.parse("2026-03-01T09:00:00Z"));
        store = new InMemoryLeaseStore(clock);
    }

    @Override
    protected LeaseStore leases() {
        return store;
    }

    @Override
    protected long submit(SubmitRequest r) {
        return store.submit(r);
    }

    @Override
    protected ExecutionView get(long id) {
        return store.executionGet(id).orElseThrow();
    }

    @Override
    protected List<HistoryEntry> history(long id) {
        return store.historyList(id);
    }

    @Override
    protected List<NodeResult> nodes(long id) {
        return store.nodeResultList(id);
    }

    @Override
    protected boolean requestCancel(long id, String reason, String by) {
        return store.requestCancel(id, reason, by) && get(id).state() == ExecutionState.RUNNING;
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }

    @Override
    protected void passTime(Duration d) {
        clock.advance(d);
    }
}
