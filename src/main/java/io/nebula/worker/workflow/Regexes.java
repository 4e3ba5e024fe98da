package io.nebula.worker.workflow;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The regular expressions {@code matches()} uses: RE2 syntax, compiled by RE2J, which matches in
 * time linear in the input but builds a program whose size is the pattern's repetitions
 * multiplied out ({@code ((a{1000}){1000}){1000}} is a billion instructions). So the size is
 * estimated from the pattern text first, in one pass and without building anything, and a
 * pattern over {@link Limits#maxRegexSize()} is refused; one that passes is compiled and its real
 * program size checked as well.
 *
 * <p>Compiled patterns are cached by text (bounded by their total program size), because CEL
 * would otherwise compile the pattern again on every call, once per comprehension iteration.
 * Thread-safe.
 */
final class Regexes {
    /** The estimate stops growing here, far above any limit, so it never overflows. */
    private static final long CAP = 1L << 40;
    /** Instructions every program has: fail, the whole match's two captures, match. */
    private static final long FIXED = 4;
    /** Total program size the cache holds before it starts over. */
    private static final long CACHE_INSTRUCTIONS = 200_000;

    private final int maxSize;
    private final ConcurrentHashMap<String, Pattern> cache = new ConcurrentHashMap<>();
    private final AtomicLong cached = new AtomicLong();

    Regexes(int maxSize) {
        this.maxSize = maxSize;
    }

    /**
     * The pattern compiled, from the cache when it was compiled before.
     *
     * @throws TooLarge when the pattern exceeds the size limit
     * @throws IllegalArgumentException when it is not a valid RE2 pattern
     */
    Pattern compile(String regex) {
        Pattern p = cache.get(regex);
        if (p != null) {
            return p;
        }
        String problem = check(regex);
        if (problem != null) {
            throw new TooLarge(problem);
        }
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression: " + e.getDescription());
        }
        if (p.programSize() > maxSize) {
            throw new TooLarge(tooLarge(p.programSize()));
        }
        if (cached.addAndGet(p.programSize()) > CACHE_INSTRUCTIONS) {
            cache.clear();
            cached.set(p.programSize());
        }
        cache.put(regex, p);
        return p;
    }

    /** Why {@code regex} may not be compiled (too large by estimate), or {@code null}. */
    String check(String regex) {
        long size = estimate(regex);
        return size > maxSize ? tooLarge(size) : null;
    }

    private String tooLarge(long size) {
        return "regular expression is too large: about " + (size >= CAP ? "more than " + CAP : size)
                + " RE2 instructions, more than the limit of " + maxSize + " ("
                + Limits.REGEX_SIZE_KEY + ")";
    }

    /**
     * An upper bound of the RE2 program size of {@code regex}: literals, classes and anchors count
     * one; a capturing group two more; each alternative one more, and an empty alternative one for
     * itself (RE2 compiles it to a no-op); {@code + ?} one more; {@code *} two more (RE2 compiles
     * the star of what can match empty, such as {@code ^*}, as a plus inside an optional, one
     * instruction more than a plain star); and {@code x{n,m}} counts {@code (max(n, m) + 1) * (x +
     * 1)}, so nested counted repetitions multiply. Text the parser does not understand counts as
     * literals, which can only make the estimate larger than RE2's program, never smaller.
     */
    static long estimate(String regex) {
        Estimator e = new Estimator(regex);
        long total = FIXED;
        while (e.pos < regex.length()) {
            total = add(total, e.alternation());
            if (e.pos < regex.length()) {
                e.pos++; // a stray ')': RE2 refuses it; count it as a literal meanwhile
                total = add(total, 1);
            }
        }
        return total;
    }

    private static long add(long a, long b) {
        return Math.min(CAP, a + b);
    }

    private static long times(long a, long b) {
        return a == 0 || b == 0 ? 0 : a > CAP / b ? CAP : Math.min(CAP, a * b);
    }

    /** A pattern over the size limit; the message names the limit's setting. */
    static final class TooLarge extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /** A recursive-descent walk over the pattern that only counts. */
    private static final class Estimator {
        private final String s;
        private int pos;

        Estimator(String s) {
            this.s = s;
        }

        long alternation() {
            long first = sequence();
            if (pos >= s.length() || s.charAt(pos) != '|') {
                return first;
            }
            long total = Math.max(first, 1);
            while (pos < s.length() && s.charAt(pos) == '|') {
                pos++;
                total = add(total, add(1, Math.max(sequence(), 1)));
            }
            return total;
        }

        private long sequence() {
            long total = 0;
            long last = 0;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '|' || c == ')') {
                    return total;
                }
                if (c == '*' || c == '+' || c == '?') {
                    pos++;
                    skipLazy();
                    long repeated = add(last, c == '*' ? 2 : 1);
                    total = add(total - last, repeated);
                    last = repeated;
                    continue;
                }
                if (c == '{') {
                    long count = repeatCount();
                    if (count >= 0) {
                        skipLazy();
                        long repeated = times(count + 1, add(last, 1));
                        total = add(total - Math.min(last, total), repeated);
                        last = repeated;
                        continue;
                    }
                }
                last = atom();
                total = add(total, last);
            }
            return total;
        }

        private void skipLazy() {
            if (pos < s.length() && s.charAt(pos) == '?') {
                pos++;
            }
        }

        /** At '{': the larger bound of a valid {n}, {n,}, {n,m} (consumed), else -1 (not consumed). */
        private long repeatCount() {
            int i = pos + 1;
            long n = 0;
            int digits = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && digits < 9) {
                n = n * 10 + (s.charAt(i++) - '0');
                digits++;
            }
            if (digits == 0) {
                return -1;
            }
            long m = n;
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                int mDigits = 0;
                long parsed = 0;
                while (i < s.length() && Character.isDigit(s.charAt(i)) && mDigits < 9) {
                    parsed = parsed * 10 + (s.charAt(i++) - '0');
                    mDigits++;
                }
                m = mDigits == 0 ? n + 1 : parsed;
            }
            if (i >= s.length() || s.charAt(i) != '}') {
                return -1;
            }
            pos = i + 1;
            return Math.max(n, m);
        }

        private long atom() {
            char c = s.charAt(pos);
            switch (c) {
                case '(' -> {
                    return group();
                }
                case '[' -> {
                    skipClass();
                    return 1;
                }
                case '\\' -> {
                    return escape();
                }
                default -> {
                    pos++;
                    return 1;
                }
            }
        }

        private long group() {
            pos++; // '('
            long extra = 2;
            if (pos < s.length() && s.charAt(pos) == '?') {
                pos++;
                if (pos < s.length() && (s.charAt(pos) == 'P' || s.charAt(pos) == '<')) {
                    int close = s.indexOf('>', pos);
                    pos = close < 0 ? s.length() : close + 1;
                } else {
                    while (pos < s.length() && (Character.isLetter(s.charAt(pos)) || s.charAt(pos) == '-')) {
                        pos++;
                    }
                    if (pos < s.length() && s.charAt(pos) == ')') {
                        pos++;
                        return 0; // flags only, such as (?i)
                    }
                    if (pos < s.length() && s.charAt(pos) == ':') {
                        pos++;
                    }
                    extra = 0;
                }
            }
            long inner = alternation();
            if (pos < s.length() && s.charAt(pos) == ')') {
                pos++;
            }
            return add(inner, extra);
        }

        /**
         * Skips a character class: it ends at the first ']' that is not escaped, not its first
         * member and not the end of a {@code [:name:]}, as in RE2.
         */
        private void skipClass() {
            pos++; // '['
            if (pos < s.length() && s.charAt(pos) == '^') {
                pos++;
            }
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
            }
            while (pos < s.length() && s.charAt(pos) != ']') {
                int named = namedClassEnd();
                if (named > 0) {
                    pos = named;
                } else {
                    pos += s.charAt(pos) == '\\' ? 2 : 1;
                }
            }
            pos = Math.min(s.length(), pos + 1);
        }

        /** At "[:": the index after a POSIX class such as {@code [:^alpha:]}, or -1. */
        private int namedClassEnd() {
            if (!s.startsWith("[:", pos)) {
                return -1;
            }
            int i = pos + 2;
            if (i < s.length() && s.charAt(i) == '^') {
                i++;
            }
            int start = i;
            while (i < s.length() && s.charAt(i) >= 'a' && s.charAt(i) <= 'z') {
                i++;
            }
            return i > start && s.startsWith(":]", i) ? i + 2 : -1;
        }

        private long escape() {
            pos++; // '\'
            if (pos >= s.length()) {
                return 1;
            }
            char c = s.charAt(pos++);
            switch (c) {
                case 'Q' -> {
                    int end = s.indexOf("\\E", pos);
                    int stop = end < 0 ? s.length() : end;
                    long literal = stop - pos;
                    pos = end < 0 ? s.length() : end + 2;
                    return Math.max(1, literal);
                }
                case 'p', 'P', 'x' -> {
                    if (pos < s.length() && s.charAt(pos) == '{') {
                        int close = s.indexOf('}', pos);
                        pos = close < 0 ? s.length() : close + 1;
                    } else {
                        pos = Math.min(s.length(), pos + (c == 'x' ? 2 : 1));
                    }
                    return 1;
                }
                default -> {
                    return 1;
                }
            }
        }
    }
}
