package io.nebula.worker.workflow;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code map} of a node: the node's action runs once per element of {@code items}, with the
 * element bound to {@code item} and its position (from 0) to {@code index} in the node's params.
 * At most {@link #maxParallel()} items run at once; {@link #onItemFailure()} decides what a failed
 * item does to the node. The node's output is the list of the items' outputs in input order. On a
 * workflow node each item starts a child execution, with the element bound in the node's {@code
 * input}.
 */
public final class MapSpec {
    /** What a failed item does to its map node. */
    public enum OnItemFailure {
        /** The first failure stops new items; the node fails once the running ones end. */
        FAIL_FAST,
        /** Every item runs; the node fails at the end if any failed. */
        FINISH_ALL,
        /** Every item runs; the node fails only if more than {@code max_failed_items} failed. */
        TOLERATE;

        /** The name in workflow files ({@code fail_fast}, ...). */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static OnItemFailure parse(String name) {
            for (OnItemFailure p : values()) {
                if (p.wireName().equals(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    /** The default of {@code max_parallel}. */
    public static final int DEFAULT_MAX_PARALLEL = 4;
    /** The largest {@code max_parallel}. */
    public static final int MAX_PARALLEL = 1_000;
    /** The largest {@code max_items}. */
    public static final int MAX_ITEMS = 1_000_000;

    private final Expression items;
    /** The items when written as a literal array (then {@link #items} is null), in CEL form. */
    private final List<?> literal;

    private final int maxParallel;
    private final OnItemFailure onItemFailure;
    private final int maxFailedItems;
    /** The most items the node may run over, or 0 when only the worker's limit applies. */
    private final int maxItems;

    private final Limits limits;

    MapSpec(
            Expression items,
            List<?> literal,
            int maxParallel,
            OnItemFailure onItemFailure,
            int maxFailedItems,
            int maxItems,
            Limits limits) {
        this.items = items;
        this.literal = literal;
        this.maxParallel = maxParallel;
        this.onItemFailure = onItemFailure;
        this.maxFailedItems = maxFailedItems;
        this.maxItems = maxItems;
        this.limits = limits;
    }

    public int maxParallel() {
        return maxParallel;
    }

    public OnItemFailure onItemFailure() {
        return onItemFailure;
    }

    /** With {@link OnItemFailure#TOLERATE}: the most failed items the node still succeeds with. */
    public int maxFailedItems() {
        return maxFailedItems;
    }

    /**
     * The node's own bound on its items ({@code max_items}), or 0 when it has none; a longer list
     * fails the node before any item runs, as one longer than {@code limits.map_items} does.
     */
    public int maxItems() {
        return maxItems;
    }

    /**
     * The most items the node can run over, as far as its definition tells: the literal's length,
     * else {@code max_items}, else 0 (unknown until the items are evaluated).
     */
    public int itemsAtMost() {
        return literal != null ? literal.size() : maxItems;
    }

    /** Whether {@code failed} failed items fail the node, once every item that will run has ended. */
    public boolean fails(int failed) {
        return onItemFailure == OnItemFailure.TOLERATE ? failed > maxFailedItems : failed > 0;
    }

    /** Whether, after {@code failed} failures, items not yet started should still start. */
    public boolean keepsGoing(int failed) {
        return switch (onItemFailure) {
            case FAIL_FAST -> failed == 0;
            case FINISH_ALL -> true;
            case TOLERATE -> failed <= maxFailedItems;
        };
    }

    /**
     * The elements to run over, as opaque values handed back to {@link NodeSpec#resolveItemParams}.
     *
     * @throws EvaluationException when the expression fails or does not produce a list
     */
    List<?> items(Bindings bindings, Set<String> upstream) throws EvaluationException {
        if (items == null) {
            return literal;
        }
        Map<String, Object> vars = bindings.variables(upstream);
        Object v = items.evaluate(vars, new Evaluation(limits));
        if (v instanceof List<?> list) {
            return list;
        }
        throw new EvaluationException(
                items.quoted(),
                "items must be a list, got "
                        + (v == null || v instanceof dev.cel.common.values.NullValue ? "null" : CelValues.typeName(v)));
    }
}
