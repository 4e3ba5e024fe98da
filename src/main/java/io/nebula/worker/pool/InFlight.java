package io.nebula.worker.pool;

import io.nebula.worker.queue.LeaseRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executions this process holds, by id, from claim until their outcome is written. An
 * execution whose lease this process lost can be claimed here again while its old attempt still
 * winds down; the new attempt then takes the id's place, and the old one's end removes only itself.
 */
final class InFlight {
    private final ConcurrentHashMap<Long, Running> byId = new ConcurrentHashMap<>();

    void add(Running r) {
        byId.put(r.claimed().id(), r);
    }

    /** Removes {@code r}, and not a later attempt of the same execution that took its place. */
    void remove(Running r) {
        byId.remove(r.claimed().id(), r);
    }

    Running get(long id) {
        return byId.get(id);
    }

    /**
     * Whether execution {@code id} is still held here and its local lease deadline has not passed
     * at {@code nowNanos}: only then can a write fenced by its lease still succeed.
     */
    boolean mayStillHoldLease(long id, long nowNanos) {
        Running r = byId.get(id);
        return r != null && nowNanos < r.leaseDeadlineNanos();
    }

    int size() {
        return byId.size();
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    Collection<Running> all() {
        return byId.values();
    }

    List<LeaseRef> leases() {
        List<LeaseRef> out = new ArrayList<>(byId.size());
        for (Running r : byId.values()) {
            out.add(r.lease());
        }
        return out;
    }
}
