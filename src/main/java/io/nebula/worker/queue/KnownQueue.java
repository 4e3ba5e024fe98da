package io.nebula.worker.queue;

/**
 * A queue the store knows: one a worker has served or an operator created. Submitting to, or
 * pausing, a queue outside this list is most likely a typo, and operators are asked to confirm.
 *
 * @param maxRunning how many of its executions may run at once across every worker, {@code null}
 *     for no limit
 */
public record KnownQueue(String name, boolean paused, Integer maxRunning) {
    /** A queue without a limit. */
    public KnownQueue(String name, boolean paused) {
        this(name, paused, null);
    }

    /** The limit of each queue in {@code queues} that has one, by name. */
    public static java.util.Map<String, Integer> limits(java.util.Collection<KnownQueue> queues) {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        for (KnownQueue q : queues) {
            if (q.maxRunning() != null) {
                out.put(q.name(), q.maxRunning());
            }
        }
        return out;
    }
}
