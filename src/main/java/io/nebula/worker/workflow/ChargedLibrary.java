package io.nebula.worker.workflow;

import dev.cel.common.CelOptions;
import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import dev.cel.runtime.CelInternalRuntimeLibrary;
import dev.cel.runtime.CelRuntimeBuilder;
import dev.cel.runtime.CelRuntimeLibrary;
import dev.cel.runtime.RuntimeEquality;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A cel-java extension library whose functions charge the current {@link Evaluation} for the
 * values they build, as {@link BoundedFunctions} does for the standard ones, so the strings and
 * lists extensions cannot build more than an evaluation's byte budget (a {@code replace} or a
 * {@code join} that would multiply a large input is refused before it allocates).
 *
 * <p>The library registers its functions on a {@link CelRuntimeBuilder}; this one hands it a
 * builder that wraps each function binding before passing it on (keeping its overload id and
 * argument types) and forwards everything else unchanged.
 *
 * <p>Sizes are charged as in {@link BoundedFunctions}: a string's length, a byte string's size,
 * eight bytes per list element. {@code replace}, {@code join}, {@code flatten} and {@code split}
 * are charged before they run, by the size of what they would return ({@code split} also by an
 * object per piece, since {@code split('')} makes a string per character); the others after, by
 * the size of what they returned (each returns at most about the size of its inputs).
 */
final class ChargedLibrary implements CelInternalRuntimeLibrary {
    private static final int REFERENCE_BYTES = 8;
    /** About what an empty Java string takes on the heap: its object and its byte array's header. */
    private static final int STRING_BYTES = 40;
    /** Where counting a result's elements stops: past it, any budget is exceeded anyway. */
    private static final long COUNT_CAP = 1L << 31;

    private final CelRuntimeLibrary library;

    ChargedLibrary(CelRuntimeLibrary library) {
        this.library = library;
    }

    @Override
    public void setRuntimeOptions(CelRuntimeBuilder builder) {
        library.setRuntimeOptions(charging(builder));
    }

    /** The form the runtime calls; the lists extension needs its equality and options. */
    @Override
    public void setRuntimeOptions(CelRuntimeBuilder builder, RuntimeEquality equality, CelOptions options) {
        if (library instanceof CelInternalRuntimeLibrary internal) {
            internal.setRuntimeOptions(charging(builder), equality, options);
        } else {
            library.setRuntimeOptions(charging(builder));
        }
    }

    private static CelRuntimeBuilder charging(CelRuntimeBuilder target) {
        CelRuntimeBuilder[] self = new CelRuntimeBuilder[1];
        InvocationHandler handler = (proxy, method, args) -> {
            Object[] forwarded = method.getName().equals("addFunctionBindings") ? wrapped(args) : args;
            Object result;
            try {
                result = method.invoke(target, forwarded);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            return result == target ? self[0] : result;
        };
        self[0] = (CelRuntimeBuilder) Proxy.newProxyInstance(
                CelRuntimeBuilder.class.getClassLoader(), new Class<?>[] {CelRuntimeBuilder.class}, handler);
        return self[0];
    }

    /** The arguments of an {@code addFunctionBindings} call, every binding wrapped. */
    private static Object[] wrapped(Object[] args) {
        Object bindings = args[0];
        if (bindings instanceof CelFunctionBinding[] array) {
            CelFunctionBinding[] out = new CelFunctionBinding[array.length];
            for (int i = 0; i < array.length; i++) {
                out[i] = charged(array[i]);
            }
            return new Object[] {out};
        }
        List<CelFunctionBinding> out = new ArrayList<>();
        for (Object b : (Iterable<?>) bindings) {
            out.add(charged((CelFunctionBinding) b));
        }
        return new Object[] {out};
    }

    static CelFunctionBinding charged(CelFunctionBinding b) {
        String id = b.getOverloadId();
        CelFunctionOverload cel = b.getDefinition();
        // A search whose CEL implementation could take long runs in linear time instead.
        CelFunctionOverload inner = args -> {
            Object found = TextSearch.apply(id, args);
            return found != null ? found : cel.apply(args);
        };
        CelFunctionOverload outer;
        if (id.startsWith("string_replace")) {
            outer = args -> {
                charge(replacedLength(args));
                return inner.apply(args);
            };
        } else if (id.startsWith("list_join")) {
            outer = args -> {
                charge(joinedLength(args));
                return inner.apply(args);
            };
        } else if (id.startsWith("list_flatten")) {
            // A list of n references to one list of n flattens to n² elements: charged first.
            outer = args -> {
                charge((long) REFERENCE_BYTES * flattenedSize(args));
                return inner.apply(args);
            };
        } else if (id.startsWith("string_split")) {
            // Each piece is a string object of its own: split('') makes one per character.
            outer = args -> {
                charge(splitBytes(args));
                return inner.apply(args);
            };
        } else {
            outer = args -> {
                Object result = inner.apply(args);
                charge(size(result));
                return result;
            };
        }
        return CelFunctionBinding.from(id, b.getArgTypes(), outer);
    }

    /** The length {@code s.replace(old, new[, n])} returns. */
    private static long replacedLength(Object[] args) {
        if (args.length < 3
                || !(args[0] instanceof String s)
                || !(args[1] instanceof String old)
                || !(args[2] instanceof String with)) {
            return 0;
        }
        long limit = args.length > 3 && args[3] instanceof Long n && n >= 0 ? n : Long.MAX_VALUE;
        long count;
        if (old.isEmpty()) {
            count = Math.min(limit, (long) s.length() + 1);
        } else if (TextSearch.costly(s, old)) {
            count = TextSearch.count(s, old, limit);
        } else {
            count = 0;
            for (int i = s.indexOf(old); i >= 0 && count < limit; i = s.indexOf(old, i + old.length())) {
                count++;
            }
        }
        return s.length() + count * Math.max(0, with.length() - old.length());
    }

    /** The length {@code list.join([separator])} returns. */
    private static long joinedLength(Object[] args) {
        if (args.length < 1 || !(args[0] instanceof Collection<?> items)) {
            return 0;
        }
        long separator = args.length > 1 && args[1] instanceof String sep ? sep.length() : 0;
        long total = separator * Math.max(0, items.size() - 1);
        for (Object item : items) {
            total += item instanceof String str ? str.length() : 0;
        }
        return total;
    }

    /** Elements {@code list.flatten([depth])} returns, counted up to {@link #COUNT_CAP}. */
    private static long flattenedSize(Object[] args) {
        if (args.length < 1 || !(args[0] instanceof Collection<?> items)) {
            return 0;
        }
        long depth = args.length > 1 && args[1] instanceof Long d ? d : 1;
        return flattenedSize(items, depth);
    }

    private static long flattenedSize(Collection<?> items, long depth) {
        if (depth <= 0) {
            return items.size();
        }
        long n = 0;
        for (Object item : items) {
            n += item instanceof Collection<?> inner ? flattenedSize(inner, depth - 1) : 1;
            if (n > COUNT_CAP) {
                return n; // already far past any budget
            }
        }
        return n;
    }

    /** Bytes {@code s.split(separator[, limit])} builds: each piece's text, object and reference. */
    private static long splitBytes(Object[] args) {
        if (args.length < 2 || !(args[0] instanceof String str) || !(args[1] instanceof String separator)) {
            return 0;
        }
        long limit = args.length > 2 && args[2] instanceof Long n && n >= 0 ? n : Long.MAX_VALUE;
        long pieces;
        if (separator.isEmpty()) {
            pieces = str.length();
        } else if (TextSearch.costly(str, separator)) {
            pieces = 1 + TextSearch.count(str, separator, limit - 1);
        } else {
            pieces = 1;
            for (int i = str.indexOf(separator);
                    i >= 0 && pieces < limit;
                    i = str.indexOf(separator, i + separator.length())) {
                pieces++;
            }
        }
        return str.length() + Math.min(pieces, limit) * (REFERENCE_BYTES + STRING_BYTES);
    }

    private static long size(Object value) {
        return switch (value) {
            case String s -> s.length();
            case CelByteString b -> b.size();
            case Collection<?> c -> (long) REFERENCE_BYTES * c.size();
            case null, default -> 0;
        };
    }

    private static void charge(long bytes) throws CelEvaluationException {
        BoundedFunctions.charge(bytes);
    }
}
