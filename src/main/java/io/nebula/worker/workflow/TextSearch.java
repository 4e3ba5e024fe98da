package io.nebula.worker.workflow;

import java.util.ArrayList;
import java.util.List;

/**
 * Substring search in time linear in the text and the pattern (Knuth-Morris-Pratt), for the
 * expression functions that search: {@code contains}, {@code indexOf}, {@code lastIndexOf}, {@code
 * replace} and {@code split}. Their CEL implementations compare the pattern at every position of
 * the text, which costs up to the product of the two lengths in one call: a 700,000-character
 * text and a 250,000-character pattern that almost matches everywhere take about a minute, inside
 * one step of the evaluation, where neither its deadline nor the yield to other threads is
 * checked. The functions here give the same results as CEL's; {@link #apply} and {@link
 * BoundedFunctions} call them only when that product passes {@link #NAIVE_WORK}.
 *
 * <p>{@code indexOf}, {@code lastIndexOf} and {@code replace} count in code points, as CEL's
 * strings extension does; {@code contains} and {@code split} compare UTF-16 units, as
 * {@link String#contains} and Guava's splitter, which CEL uses for them, do.
 */
final class TextSearch {
    /** Up to this many character comparisons, a search is left to CEL's own implementation. */
    static final long NAIVE_WORK = 1L << 20;

    private final int[] pattern;
    private final int[] failure;

    private TextSearch(int[] pattern) {
        this.pattern = pattern;
        this.failure = failure(pattern);
    }

    static TextSearch of(int[] pattern) {
        if (pattern.length == 0) {
            throw new IllegalArgumentException("empty pattern");
        }
        return new TextSearch(pattern);
    }

    /** For each prefix of {@code p}, the length of its longest proper prefix that is also its suffix. */
    private static int[] failure(int[] p) {
        int[] f = new int[p.length];
        int k = 0;
        for (int i = 1; i < p.length; i++) {
            while (k > 0 && p[i] != p[k]) {
                k = f[k - 1];
            }
            if (p[i] == p[k]) {
                k++;
            }
            f[i] = k;
        }
        return f;
    }

    /** The first position at or after {@code from} where the pattern occurs in {@code text}, or -1. */
    int first(int[] text, int from) {
        int k = 0;
        for (int i = Math.max(0, from); i < text.length; i++) {
            while (k > 0 && text[i] != pattern[k]) {
                k = failure[k - 1];
            }
            if (text[i] == pattern[k]) {
                k++;
            }
            if (k == pattern.length) {
                return i - pattern.length + 1;
            }
        }
        return -1;
    }

    /** As {@link #first(int[], int)} over the UTF-16 units of {@code text}, without copying it. */
    int first(String text, int from) {
        int k = 0;
        for (int i = Math.max(0, from); i < text.length(); i++) {
            char c = text.charAt(i);
            while (k > 0 && c != pattern[k]) {
                k = failure[k - 1];
            }
            if (c == pattern[k]) {
                k++;
            }
            if (k == pattern.length) {
                return i - pattern.length + 1;
            }
        }
        return -1;
    }

    /** The last position at or before {@code upTo} where the pattern occurs in {@code text}, or -1. */
    int last(int[] text, int upTo) {
        int found = -1;
        int k = 0;
        // A match at position p ends at p + length - 1; none starting after upTo is wanted.
        int end = (int) Math.min(text.length, (long) upTo + pattern.length);
        for (int i = 0; i < end; i++) {
            while (k > 0 && text[i] != pattern[k]) {
                k = failure[k - 1];
            }
            if (text[i] == pattern[k]) {
                k++;
            }
            if (k == pattern.length) {
                found = i - pattern.length + 1;
                k = failure[k - 1];
            }
        }
        return found;
    }

    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    static int[] units(String s) {
        int[] out = new int[s.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.charAt(i);
        }
        return out;
    }

    /** Whether CEL's own search could compare more than {@link #NAIVE_WORK} characters. */
    static boolean costly(String text, String pattern) {
        return costly(text, pattern, NAIVE_WORK);
    }

    private static boolean costly(String text, String pattern, long naiveWork) {
        // A pattern of one character is compared once per position: already linear.
        return pattern.length() > 1 && (long) text.length() * pattern.length() > naiveWork;
    }

    /**
     * The result of the strings extension's function {@code overloadId} on {@code args}, computed
     * here when CEL's own search could be costly, else {@code null}: then CEL's implementation runs
     * (it is cheap, or the arguments take one of its paths that do not search, errors included).
     */
    static Object apply(String overloadId, Object[] args) {
        return apply(overloadId, args, NAIVE_WORK);
    }

    /** As {@link #apply(String, Object[])}, taking over from CEL above {@code naiveWork}; for tests. */
    static Object apply(String overloadId, Object[] args, long naiveWork) {
        if (args.length < 2 || !(args[0] instanceof String text) || !(args[1] instanceof String sub)) {
            return null;
        }
        if (overloadId.startsWith("string_index_of_string")) {
            if (!costly(text, sub, naiveWork)) {
                return null;
            }
            long offset = args.length > 2 && args[2] instanceof Long o ? o : 0;
            int[] t = codePoints(text);
            return offset < 0 || offset >= t.length ? null : indexOf(t, sub, (int) offset);
        }
        if (overloadId.startsWith("string_last_index_of_string")) {
            if (!costly(text, sub, naiveWork)) {
                return null;
            }
            int[] t = codePoints(text);
            long offset = args.length > 2 ? (args[2] instanceof Long o ? o : -1) : t.length - 1;
            return offset < 0 || offset >= t.length ? null : lastIndexOf(t, sub, (int) offset);
        }
        if (overloadId.startsWith("string_replace")) {
            if (args.length < 3
                    || !(args[2] instanceof String with)
                    || text.isEmpty()
                    || !costly(text, sub, naiveWork)) {
                return null;
            }
            Integer limit = args.length > 3 ? int32(args[3]) : Integer.valueOf(-1);
            return limit == null ? null : replace(text, sub, with, limit);
        }
        if (overloadId.startsWith("string_split")) {
            if (!costly(text, sub, naiveWork)) {
                return null;
            }
            Integer limit = args.length > 2 ? int32(args[2]) : Integer.valueOf(Integer.MAX_VALUE);
            if (limit == null || limit == 0 || limit == 1) {
                return null;
            }
            int pieces = limit < 0 ? text.length() : limit;
            return pieces < 2 ? null : List.copyOf(split(text, sub, pieces));
        }
        return null;
    }

    private static Integer int32(Object value) {
        return value instanceof Long n && n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? (int) (long) n : null;
    }

    // ---- the functions, as CEL defines them, for a non-empty pattern -----------------------------

    /** {@code text.contains(sub)}. */
    static boolean contains(String text, String sub) {
        return sub.length() <= text.length() && of(units(sub)).first(text, 0) >= 0;
    }

    /** {@code text.indexOf(sub, offset)} for a valid offset (0 up to the text's code points). */
    static long indexOf(int[] text, String sub, int offset) {
        return of(codePoints(sub)).first(text, offset);
    }

    /** {@code text.lastIndexOf(sub, offset)} for a valid offset (0 up to the text's code points). */
    static long lastIndexOf(int[] text, String sub, int offset) {
        int[] p = codePoints(sub);
        int upTo = Math.min(offset, text.length - p.length);
        return upTo < 0 ? -1 : of(p).last(text, upTo);
    }

    /**
     * {@code text.replace(old, with, limit)} for a non-empty text and {@code old}: the first {@code
     * limit} occurrences (all when negative), left to right and not overlapping, replaced.
     */
    static String replace(String text, String old, String with, int limit) {
        if (old.equals(with) || limit == 0) {
            return text;
        }
        int[] t = codePoints(text);
        int[] o = codePoints(old);
        TextSearch search = of(o);
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        int left = limit;
        for (int at = search.first(t, 0); at >= 0; at = search.first(t, start)) {
            out.append(new String(t, start, at - start)).append(with);
            start = at + o.length;
            if (--left == 0) {
                break;
            }
        }
        return out.append(new String(t, start, t.length - start)).toString();
    }

    /**
     * {@code text.split(separator, limit)} for a non-empty separator and a limit of at least 2:
     * at most {@code limit} pieces, the last holding the rest of the text.
     */
    static List<String> split(String text, String separator, int limit) {
        TextSearch search = of(units(separator));
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (pieces.size() < limit - 1) {
            int at = search.first(text, start);
            if (at < 0) {
                break;
            }
            pieces.add(text.substring(start, at));
            start = at + separator.length();
        }
        pieces.add(text.substring(start));
        return pieces;
    }

    /** How many times {@code old} occurs in {@code text}, left to right and not overlapping, up to {@code cap}. */
    static long count(String text, String old, long cap) {
        TextSearch search = of(units(old));
        long n = 0;
        for (int at = search.first(text, 0); at >= 0 && n < cap; at = search.first(text, at + old.length())) {
            n++;
        }
        return n;
    }
}
