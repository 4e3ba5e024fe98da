package io.nebula.worker.cli;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.KnownQueue;
import java.util.Collection;
import java.util.TreeSet;

/**
 * Refuses a queue name that no worker has served and no operator created, which is most often a
 * typo ({@code --queue defualt}): the work would wait forever, or a pause would hit nothing. The
 * refusal names the known queues and the likeliest one meant; {@code --force} goes ahead anyway.
 */
final class KnownQueues {
    private KnownQueues() {}

    /**
     * Throws a usage failure (exit code 2) unless {@code queue} is known to the store or is one of
     * {@code configured} (the queues this configuration's workers serve, known even before a worker
     * first starts).
     *
     * @param refused what is not done, and how to do it anyway, e.g. {@code "nothing was
     *     enqueued; give --force to submit to it anyway"}
     */
    static void require(ExecutionStore store, Collection<String> configured, String queue, String refused) {
        TreeSet<String> known = known(store, configured);
        if (known.contains(queue)) {
            return;
        }
        String guess = NearestName.among(queue, known);
        throw new CommandFailure(
                ExitCode.USAGE,
                notKnown(queue, known)
                        + (guess == null ? "; " + refused : "; did you mean '" + guess + "'? " + capitalised(refused))
                        + ", or create it with `nebula-worker queues create " + queue + "`");
    }

    /**
     * Why {@code queue} is refused, as one line with the likeliest queue meant, or {@code null} when
     * it is one of {@code known} (see {@link #known}); for commands that report every problem of a
     * file at once.
     */
    static String problem(java.util.SortedSet<String> known, String queue) {
        if (known.contains(queue)) {
            return null;
        }
        String guess = NearestName.among(queue, known);
        return notKnown(queue, known) + (guess == null ? "" : "; did you mean '" + guess + "'?");
    }

    /** The queues workers served or operators created, and {@code configured}. */
    static TreeSet<String> known(ExecutionStore store, Collection<String> configured) {
        TreeSet<String> known = new TreeSet<>(configured);
        store.queueList().stream().map(KnownQueue::name).forEach(known::add);
        return known;
    }

    private static String notKnown(String queue, java.util.SortedSet<String> known) {
        return "queue '" + queue + "' is not known: no worker has served it and no operator created it"
                + (known.isEmpty() ? "" : " (known: " + String.join(", ", known) + ")");
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
