package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.re2j.Pattern;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The size estimate is never below RE2J's program size, and refuses patterns that multiply out. */
class RegexesTest {
    private final Regexes regexes = new Regexes(5_000);

    @Test
    void everydayPatternsAreWellUnderTheDefaultLimit() {
        for (String p : List.of(
                "^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$",
                "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$",
                "(?i)^(get|post|put|delete)$",
                "^[A-Za-z_][A-Za-z0-9_-]{0,127}$",
                "\\p{L}+",
                "[[:alpha:]]+[[:digit:]]*")) {
            assertThat(Regexes.estimate(p)).as(p).isLessThan(1_000);
            assertThat(regexes.compile(p)).isNotNull();
        }
    }

    @Test
    void nestedCountedRepetitionsMultiply() {
        assertThat(Regexes.estimate("((a{1000}){1000}){1000}")).isGreaterThan(1_000_000_000L);
        assertThat(Regexes.estimate("(?:x{100}){100}")).isGreaterThan(10_000);
        assertThat(Regexes.estimate("a{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}{2}"))
                .isGreaterThan(5_000);
        assertThatThrownBy(() -> regexes.compile("((a{1000}){1000}){1000}"))
                .isInstanceOf(Regexes.TooLarge.class)
                .hasMessageEndingWith("more than the limit of 5000 (limits.regex_program_size)");
    }

    @Test
    void repetitionsHiddenInClassesAndQuotesAreNotCountedButOutsideOnesAre() {
        assertThat(Regexes.estimate("[{1000}]")).isEqualTo(5);
        assertThat(Regexes.estimate("\\Qa{1000}\\E")).isEqualTo(11);
        assertThat(Regexes.estimate("[]{]{1000}")).isGreaterThan(1_000);
        assertThat(Regexes.estimate("[[:alpha:](]{1000}")).isGreaterThan(1_000);
        assertThat(Regexes.estimate("[\\]]{1000}")).isGreaterThan(1_000);
    }

    @Test
    void starsOfWhatCanMatchEmptyAndEmptyAlternativesAreCounted() {
        // RE2 compiles ^* as (?:^+)? and an empty alternative as a no-op: both cost one
        // instruction more than a star of a literal or a non-empty alternative. Enough of them
        // in one pattern exceeded the slack of the fixed count.
        for (String p :
                List.of("^*|^*^*", "^*^*^*^*", "\\b*\\b*\\b*", "((^*)*)*", "(?:^*|)*", "(a|)+(b|)+(c|)+", "|||a")) {
            assertThat(Regexes.estimate(p))
                    .as(p)
                    .isGreaterThanOrEqualTo(Pattern.compile(p).programSize());
        }
    }

    @Test
    void anInvalidPatternIsReportedWithoutQuotingItAgain() {
        assertThatThrownBy(() -> regexes.compile("(a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid regular expression: ");
    }

    @Property(tries = 300)
    void theEstimateIsNeverBelowTheCompiledProgram(@ForAll("patterns") String p) {
        Pattern compiled;
        try {
            compiled = Pattern.compile(p);
        } catch (RuntimeException invalid) {
            return; // RE2J refuses it (a double repetition, say): nothing is built
        }
        assertThat(Regexes.estimate(p)).as(p).isGreaterThanOrEqualTo(compiled.programSize());
    }

    @Provide
    Arbitrary<String> patterns() {
        Arbitrary<String> atom = Arbitraries.of(
                "a",
                "xyz",
                ".",
                "\\d",
                "\\pL",
                "\\p{Greek}",
                "[a-c]",
                "[^a]",
                "[]a]",
                "[[:alpha:]x]",
                "\\Qa+b\\E",
                "^",
                "$",
                "\\b",
                "(?i)k",
                "\\x41",
                "\\x{263a}");
        Arbitrary<String> repeat = Arbitraries.of("", "", "*", "+", "?", "*?", "{2}", "{1,3}", "{2,}", "{0,4}");
        Arbitrary<String> piece =
                net.jqwik.api.Combinators.combine(atom, repeat).as((a, r) -> a + r);
        Arbitrary<String> sequence = piece.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("", l));
        Arbitrary<String> alternation =
                sequence.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("|", l));
        Arbitrary<String> group = Arbitraries.of("(", "(?:", "(?P<n>")
                .flatMap(open -> Arbitraries.recursive(
                        () -> alternation,
                        inner -> net.jqwik.api.Combinators.combine(inner, repeat, sequence)
                                .as((i, r, tail) -> open + i + ")" + r + tail),
                        0,
                        2));
        return Arbitraries.oneOf(alternation, group);
    }
}
