package io.nebula.worker.inspect;

import io.nebula.worker.queue.NodeResult;
import io.nebula.worker.queue.NodeStatus;
import io.nebula.worker.queue.NodeTry;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A node's failed tries in one phrase for people, as {@code explain}, {@code executions show} and
 * {@code submit --wait} print them: {@code node 'reserve' failed once with HTTP 503, succeeded on
 * try 2}.
 */
public final class NodeTries {
    /** Errors are cut to this length in phrases; {@code executions show} lists them whole. */
    private static final int ERROR_CHARS = 120;

    private NodeTries() {}

    /**
     * The phrase for a node's result, or {@code null} when it has no failed try (a node that
     * succeeded at once, a skipped node).
     */
    public static String summary(NodeResult r) {
        List<NodeTry> tries = r.tries();
        if (tries.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder("node '").append(r.nodeId()).append("' ");
        b.append(r.status() == NodeStatus.FAILED ? "was tried " : "failed ").append(times(tries.size()));
        long attempts = tries.stream().map(NodeTry::attempt).distinct().count();
        if (attempts > 1) {
            b.append(" over ").append(attempts).append(" attempts");
        }
        Set<String> errors = new LinkedHashSet<>();
        tries.forEach(t -> errors.add(shorten(t.error())));
        if (errors.size() == 1) {
            b.append(r.status() == NodeStatus.FAILED ? ", failing each time with " : " with ")
                    .append(errors.iterator().next());
        } else {
            b.append(" (");
            for (int i = 0; i < tries.size(); i++) {
                NodeTry t = tries.get(i);
                if (i > 0) {
                    b.append("; ");
                }
                b.append(attempts > 1 ? "attempt " + t.attempt() + " " : "")
                        .append("try ")
                        .append(t.tryNumber())
                        .append(": ")
                        .append(shorten(t.error()));
            }
            b.append(')');
        }
        if (r.status() == NodeStatus.SUCCEEDED) {
            b.append(", succeeded on try ").append(r.lastTry());
            if (attempts > 1 || tries.get(tries.size() - 1).attempt() != r.attempt()) {
                b.append(" of attempt ").append(r.attempt());
            }
        }
        return b.toString();
    }

    private static String times(int n) {
        return switch (n) {
            case 1 -> "once";
            case 2 -> "twice";
            default -> n + " times";
        };
    }

    static String shorten(String error) {
        String oneLine = error.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= ERROR_CHARS ? oneLine : oneLine.substring(0, ERROR_CHARS - 1) + "…";
    }
}
