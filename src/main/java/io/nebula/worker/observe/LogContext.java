package io.nebula.worker.observe;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.MDC;

/**
 * The execution and node a thread works for, as the {@code execution_id}, {@code attempt}, {@code
 * lease_epoch} and {@code node_id} fields of its log lines.
 *
 * <p>Written to the SLF4J MDC when a scope opens (eager), unless the logging backend calls {@link
 * #materialize()} before every log call, as the worker's own Logback setup does through a turbo
 * filter ({@link #lazyWhile}). Then a scope only keeps the fields in a thread-local object, and they
 * reach the MDC when the thread first logs inside it: most attempts never log, and writing the MDC
 * for every one was about 8 % of the heap a single-node execution allocates. Either way every log
 * line inside a scope carries the fields, and none outside it. Code that reads the MDC itself (an
 * action written elsewhere may) gets a node scope that writes at once ({@link #node(ExecutionEvent,
 * String, boolean)}).
 */
public final class LogContext {
    private static final ThreadLocal<Fields> PENDING = new ThreadLocal<>();
    private static final BooleanSupplier EAGER = () -> false;
    private static volatile BooleanSupplier lazy = EAGER;

    private LogContext() {}

    /** A scope's end: removes what the scope added and restores what it replaced. Never throws. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Makes scopes lazy while {@code installed} says the backend calls {@link #materialize()}
     * before each log call (for Logback: while its turbo filter is started; a reconfiguration stops
     * it, and scopes are eager again).
     */
    public static void lazyWhile(BooleanSupplier installed) {
        lazy = Objects.requireNonNull(installed);
    }

    /** Scopes write the MDC when they open again. */
    public static void eager() {
        lazy = EAGER;
    }

    /** Whether scopes opened now wait for a log call to write the MDC. */
    public static boolean lazy() {
        return lazy.getAsBoolean();
    }

    /** The fields of one attempt of an execution, for the calling thread until the scope closes. */
    public static Scope execution(long executionId, int attempt, long leaseEpoch) {
        if (!lazy()) {
            MDC.put("execution_id", Long.toString(executionId));
            MDC.put("attempt", Integer.toString(attempt));
            MDC.put("lease_epoch", Long.toString(leaseEpoch));
            return () -> {
                MDC.remove("execution_id");
                MDC.remove("attempt");
                MDC.remove("lease_epoch");
            };
        }
        Fields previous = PENDING.get();
        Fields f = new Fields(executionId, attempt, leaseEpoch);
        PENDING.set(f);
        return () -> {
            f.clear();
            if (previous != null) {
                // The MDC keys this scope removed may have been the outer scope's.
                previous.forget();
            }
            PENDING.set(previous);
        };
    }

    /**
     * The node a try runs for, inside the execution's scope on the same thread or, on a thread of
     * its own, with the execution's fields.
     */
    public static Scope node(ExecutionEvent execution, String nodeId) {
        return node(execution, nodeId, false);
    }

    /**
     * As {@link #node(ExecutionEvent, String)}; with {@code writeNow} the fields are in the MDC
     * from the start of the scope even when scopes are lazy, for code that reads the MDC rather
     * than only logging.
     */
    public static Scope node(ExecutionEvent execution, String nodeId, boolean writeNow) {
        if (!lazy()) {
            boolean ownExecution = MDC.get("execution_id") == null;
            Scope outer = ownExecution
                    ? execution(execution.executionId(), execution.attempt(), execution.leaseEpoch())
                    : null;
            String previousNode = MDC.get("node_id");
            MDC.put("node_id", nodeId);
            return () -> {
                if (previousNode == null) {
                    MDC.remove("node_id");
                } else {
                    MDC.put("node_id", previousNode);
                }
                if (outer != null) {
                    outer.close();
                }
            };
        }
        Fields f = PENDING.get();
        if (f == null) {
            Fields own = new Fields(execution.executionId(), execution.attempt(), execution.leaseEpoch());
            own.node = nodeId;
            PENDING.set(own);
            if (writeNow) {
                own.write();
            }
            return () -> {
                own.clear();
                PENDING.set(null);
            };
        }
        String previousNode = f.node;
        f.node = nodeId;
        if (writeNow) {
            f.write();
        }
        return () -> f.node(previousNode);
    }

    /**
     * Writes the calling thread's pending fields to the MDC, once; called by the logging backend
     * before a log call. Cheap when there are none.
     */
    public static void materialize() {
        Fields f = PENDING.get();
        if (f != null) {
            f.write();
        }
    }

    /** One scope's fields and which of them the MDC holds now. */
    private static final class Fields {
        private final long executionId;
        private final int attempt;
        private final long leaseEpoch;
        private String node;
        private boolean written;
        private String writtenNode;

        Fields(long executionId, int attempt, long leaseEpoch) {
            this.executionId = executionId;
            this.attempt = attempt;
            this.leaseEpoch = leaseEpoch;
        }

        void write() {
            if (!written) {
                written = true;
                MDC.put("execution_id", Long.toString(executionId));
                MDC.put("attempt", Integer.toString(attempt));
                MDC.put("lease_epoch", Long.toString(leaseEpoch));
            }
            if (!Objects.equals(node, writtenNode)) {
                if (node == null) {
                    MDC.remove("node_id");
                } else {
                    MDC.put("node_id", node);
                }
                writtenNode = node;
            }
        }

        /** Back to {@code previous} as the node, in the MDC too if it was written. */
        void node(String previous) {
            node = previous;
            if (writtenNode != null && !Objects.equals(writtenNode, previous)) {
                if (previous == null) {
                    MDC.remove("node_id");
                } else {
                    MDC.put("node_id", previous);
                }
                writtenNode = previous;
            }
        }

        /** Writes every field again at the next log call. */
        void forget() {
            written = false;
            writtenNode = null;
        }

        /** Removes from the MDC what this scope wrote. */
        void clear() {
            if (written) {
                MDC.remove("execution_id");
                MDC.remove("attempt");
                MDC.remove("lease_epoch");
                written = false;
            }
            if (writtenNode != null) {
                MDC.remove("node_id");
                writtenNode = null;
            }
        }
    }
}
