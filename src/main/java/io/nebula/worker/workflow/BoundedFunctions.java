package io.nebula.worker.workflow;

import com.google.re2j.Pattern;
import dev.cel.common.CelOptions;
import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.CelStandardFunctions.StandardFunction;
import dev.cel.runtime.ConcatenatedListView;
import dev.cel.runtime.RuntimeHelpers;
import dev.cel.runtime.standard.AddOperator.AddOverload;
import dev.cel.runtime.standard.BytesFunction.BytesOverload;
import dev.cel.runtime.standard.CelStandardOverload;
import dev.cel.runtime.standard.ContainsFunction.ContainsOverload;
import dev.cel.runtime.standard.StringFunction.StringOverload;
import java.util.List;
import java.util.Set;

/**
 * CEL's standard functions, except the few that build values of unbounded size or compile
 * regular expressions, which are replaced by versions that charge the current {@link Evaluation}
 * first: {@code +} on strings, bytes and lists, {@code bytes(string)}, {@code string(bytes)}, and
 * {@code matches}; and {@code contains}, which searches in linear time where CEL's search could
 * take long ({@link TextSearch}). They keep CEL's overload ids and semantics; only the accounting
 * is added.
 *
 * <p>Sizes are charged as a string's length, a byte string's size, and eight bytes per list
 * element (a reference; the elements themselves were charged when they were built). List
 * concatenation onto a comprehension's accumulator is charged only for what it appends, as CEL
 * appends in place there.
 */
final class BoundedFunctions {
    private static final Set<CelStandardOverload> REPLACED = Set.of(
            AddOverload.ADD_STRING,
            AddOverload.ADD_BYTES,
            AddOverload.ADD_LIST,
            BytesOverload.STRING_TO_BYTES,
            StringOverload.BYTES_TO_STRING,
            ContainsOverload.CONTAINS_STRING);
    private static final int REFERENCE_BYTES = 8;

    private BoundedFunctions() {}

    /** The standard functions without the ones {@link #bindings} replaces. */
    static CelStandardFunctions standard() {
        return CelStandardFunctions.newBuilder()
                .filterFunctions(
                        (function, overload) -> function != StandardFunction.MATCHES && !REPLACED.contains(overload))
                .build();
    }

    /** The replacements, matching regular expressions with {@code regexes}. */
    static List<CelFunctionBinding> bindings(CelOptions options, Regexes regexes) {
        boolean partial = options.enableRegexPartialMatch();
        return List.of(
                CelFunctionBinding.from("add_string", String.class, String.class, (String x, String y) -> {
                    charge((long) x.length() + y.length());
                    return x.concat(y);
                }),
                CelFunctionBinding.from(
                        "add_bytes", CelByteString.class, CelByteString.class, (CelByteString x, CelByteString y) -> {
                            charge((long) x.size() + y.size());
                            return x.concat(y);
                        }),
                CelFunctionBinding.from("add_list", List.class, List.class, BoundedFunctions::concat),
                CelFunctionBinding.from("string_to_bytes", String.class, (String s) -> {
                    charge(3L * s.length());
                    return CelByteString.copyFromUtf8(s);
                }),
                CelFunctionBinding.from("bytes_to_string", CelByteString.class, (CelByteString b) -> {
                    if (!b.isValidUtf8()) {
                        throw new CelEvaluationException("invalid UTF-8 in bytes, cannot convert to string");
                    }
                    charge(2L * b.size());
                    return b.toStringUtf8();
                }),
                // In linear time when String.contains could compare the pattern at every position.
                CelFunctionBinding.from(
                        "contains_string",
                        String.class,
                        String.class,
                        (String s, String sub) ->
                                TextSearch.costly(s, sub) ? TextSearch.contains(s, sub) : s.contains(sub)),
                CelFunctionBinding.from(
                        "matches",
                        String.class,
                        String.class,
                        (String s, String re) -> matches(regexes, s, re, partial)),
                CelFunctionBinding.from(
                        "matches_string",
                        String.class,
                        String.class,
                        (String s, String re) -> matches(regexes, s, re, partial)));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object concat(List x, List y) throws CelEvaluationException {
        long elements = x instanceof ConcatenatedListView ? y.size() : (long) x.size() + y.size();
        charge(REFERENCE_BYTES * elements);
        return RuntimeHelpers.concat(x, y);
    }

    private static boolean matches(Regexes regexes, String s, String regex, boolean partial)
            throws CelEvaluationException {
        Evaluation e = Evaluation.current();
        Pattern p;
        try {
            p = regexes.compile(regex);
        } catch (Regexes.TooLarge ex) {
            if (e != null) {
                e.exceeded(ex.getMessage());
            }
            throw new CelEvaluationException(ex.getMessage());
        } catch (IllegalArgumentException ex) {
            throw new CelEvaluationException(ex.getMessage());
        }
        try {
            CharSequence in = e == null ? s : e.watch(s);
            return partial ? p.matcher(in).find() : p.matcher(in).matches();
        } catch (Evaluation.Exceeded ex) {
            throw new CelEvaluationException(ex.getMessage());
        }
    }

    /** Charges the current evaluation; a checked exception, so CEL passes it on untouched. */
    static void charge(long bytes) throws CelEvaluationException {
        Evaluation e = Evaluation.current();
        if (e == null) {
            return;
        }
        try {
            e.build(bytes);
        } catch (Evaluation.Exceeded ex) {
            throw new CelEvaluationException(ex.getMessage());
        }
    }
}
