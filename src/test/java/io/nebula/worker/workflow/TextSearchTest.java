package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The linear-time searches give what CEL's own functions give: each function is evaluated by a
 * plain CEL runtime (its strings extension, no library of ours) and by {@link TextSearch} with its
 * threshold at zero, on short texts over a small alphabet (so partial matches abound), with a
 * character outside the Basic Multilingual Plane, whose two UTF-16 units CEL's strings extension
 * counts as one code point.
 */
class TextSearchTest {
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .addLibraries(CelExtensions.strings())
            .addVar("t", SimpleType.STRING)
            .addVar("s", SimpleType.STRING)
            .addVar("w", SimpleType.STRING)
            .addVar("n", SimpleType.INT)
            .build();
    private static final CelRuntime CEL = CelRuntimeFactory.standardCelRuntimeBuilder()
            .addLibraries(CelExtensions.strings())
            .build();

    /** CEL's own result of {@code expression}, or its error's class when it fails. */
    private static Object cel(String expression, String t, String s, String w, long n) {
        try {
            var ast = COMPILER.compile(expression).getAst();
            return CEL.createProgram(ast).eval(Map.of("t", t, "s", s, "w", w, "n", n));
        } catch (Exception e) {
            return e.getClass();
        }
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of("a", "b", "ab", "\uD83D\uDE01", "é")
                .list()
                .ofMaxSize(9)
                .map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.of("a", "b", "\uD83D\uDE01", "é")
                .list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<Long> numbers() {
        return Arbitraries.longs().between(-2, 12);
    }

    /** Checks one function: where TextSearch takes over, its result is CEL's. */
    private static void same(String id, String expression, Object[] args, String t, String s, String w, long n) {
        Object ours = TextSearch.apply(id, args, -1);
        if (ours != null) {
            assertThat(ours)
                    .as("%s on t=%s s=%s w=%s n=%d", expression, t, s, w, n)
                    .isEqualTo(cel(expression, t, s, w, n));
        }
    }

    @Property(tries = 600)
    void indexOfAndLastIndexOfAreCels(
            @ForAll("texts") String t, @ForAll("patterns") String s, @ForAll("numbers") long n) {
        same("string_index_of_string", "t.indexOf(s)", new Object[] {t, s}, t, s, "", n);
        same("string_index_of_string_int", "t.indexOf(s, n)", new Object[] {t, s, n}, t, s, "", n);
        same("string_last_index_of_string", "t.lastIndexOf(s)", new Object[] {t, s}, t, s, "", n);
        same("string_last_index_of_string_int", "t.lastIndexOf(s, n)", new Object[] {t, s, n}, t, s, "", n);
    }

    @Property(tries = 600)
    void replaceAndSplitAreCels(
            @ForAll("texts") String t,
            @ForAll("patterns") String s,
            @ForAll("texts") String w,
            @ForAll("numbers") long n) {
        same("string_replace_string_string", "t.replace(s, w)", new Object[] {t, s, w}, t, s, w, n);
        same("string_replace_string_string_int", "t.replace(s, w, n)", new Object[] {t, s, w, n}, t, s, w, n);
        same("string_split_string", "t.split(s)", new Object[] {t, s}, t, s, w, n);
        same("string_split_string_int", "t.split(s, n)", new Object[] {t, s, n}, t, s, w, n);
    }

    @Property(tries = 600)
    void containsIsStrings(@ForAll("texts") String t, @ForAll("patterns") String s) {
        assertThat(TextSearch.contains(t, s)).as("%s contains %s", t, s).isEqualTo(t.contains(s));
    }

    @Property(tries = 300)
    void countIsTheNonOverlappingOccurrences(@ForAll("texts") String t, @ForAll("patterns") String s) {
        long expected = 0;
        for (int i = t.indexOf(s); i >= 0; i = t.indexOf(s, i + s.length())) {
            expected++;
        }
        assertThat(TextSearch.count(t, s, Long.MAX_VALUE)).isEqualTo(expected);
        assertThat(TextSearch.count(t, s, 1)).isEqualTo(Math.min(1, expected));
    }

    @Test
    void theTakeOverCoversEveryPathThatSearches() {
        // Each function is taken over for some arguments, so the properties above compare something.
        String t = "aab\uD83D\uDE01ab";
        assertThat(Objects.requireNonNull(TextSearch.apply("string_index_of_string", new Object[] {t, "ab"}, -1)))
                .isEqualTo(1L);
        assertThat(TextSearch.apply("string_last_index_of_string_int", new Object[] {t, "ab", 5L}, -1))
                .isEqualTo(4L);
        assertThat(TextSearch.apply("string_replace_string_string_int", new Object[] {t, "ab", "x", 2L}, -1))
                .isEqualTo("ax\uD83D\uDE01x");
        assertThat(TextSearch.apply("string_split_string", new Object[] {t, "b\uD83D\uDE01"}, -1))
                .isEqualTo(List.of("aa", "ab"));
        assertThat(TextSearch.apply("string_split_string", new Object[] {t, "b"}, -1))
                .as("a pattern of one character is left to CEL: its search is linear already")
                .isNull();
        assertThat(TextSearch.apply("string_index_of_string", new Object[] {t, "ab"}))
                .as("below the threshold CEL's own search runs")
                .isNull();
    }
}
