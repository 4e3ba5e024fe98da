package io.nebula.worker.cli;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.KnownQueue;
import java.util.Collection;
import java.util.Locale;
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
        TreeSet<String> known = new TreeSet<>(configured);
        store.queueList().stream().map(KnownQueue::name).forEach(known::add);
        if (known.contains(queue)) {
            return;
        }
        String guess = closest(queue, known);
        throw new CommandFailure(
                ExitCode.USAGE,
                "queue '" + queue + "' is not known: no worker has served it and no operator created it"
                        + (known.isEmpty() ? "" : " (known: " + String.join(", ", known) + ")")
                        + (guess == null ? "; " + refused : "; did you mean '" + guess + "'? " + capitalised(refused))
                        + ", or create it with `nebula-worker queues create " + queue + "`");
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The candidate nearest to {@code name} by edit distance, if it is near enough to be a typo. */
    static String closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(name.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        // A third of the name may be wrong (two letters swapped count as two), at least two edits.
        int allowed = Math.max(2, name.length() / 3);
        return bestDistance <= allowed ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
