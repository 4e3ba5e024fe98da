package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.json.JsonValues;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import tools.jackson.databind.json.JsonMapper;

/** Properties of the submit-time input check, over generated strings. */
class InputGuardPropertyTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Property(tries = 300)
    void anyStringWithoutNulOrLoneSurrogatesIsAccepted(@ForAll @StringLength(max = 200) String text) {
        String clean = text.replace("\u0000", "")
                .codePoints()
                .filter(cp -> !(cp >= 0xD800 && cp <= 0xDFFF))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        String json = JSON.writeValueAsString(java.util.Map.of("k", clean));
        assertThatCode(() -> InputGuard.check(json, 1 << 20, "submit")).doesNotThrowAnyException();
    }

    @Property(tries = 200)
    void aNulAnywhereInAStringIsRejected(
            @ForAll @StringLength(max = 50) String before, @ForAll @StringLength(max = 50) String after) {
        String json = JSON.writeValueAsString(java.util.Map.of("k", before + "\u0000" + after));
        assertThatThrownBy(() -> InputGuard.check(json, 1 << 20, "submit"))
                .isInstanceOf(SubmitRejectedException.class)
                .hasMessageContaining("NUL");
    }

    @Property(tries = 200)
    void theSizeLimitCountsUtf8Bytes(@ForAll @StringLength(min = 1, max = 100) String text) {
        String json = JSON.writeValueAsString(text.replace("\u0000", "x"));
        long bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        boolean wellFormed = json.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
        if (wellFormed) {
            assertThatCode(() -> InputGuard.check(json, bytes, "submit")).doesNotThrowAnyException();
            assertThatThrownBy(() -> InputGuard.check(json, bytes - 1, "submit"))
                    .hasMessageContaining("over the limit");
        }
    }

    @Property(tries = 300)
    void parsingOnceRejectsWhatTheStreamingCheckRejectsWithTheSameMessage(@ForAll @StringLength(max = 60) String text) {
        String json = JSON.writeValueAsString(java.util.Map.of(text, java.util.List.of(text, 1)));

        String viaCheck = rejection(() -> InputGuard.check(json, 1 << 20, "submit"));
        String viaParse = rejection(() -> InputGuard.parse(json, 1 << 20, "submit"));

        assertThat(viaParse).isEqualTo(viaCheck);
        if (viaParse == null) {
            assertThat(InputGuard.parse(json, 1 << 20, "submit").value()).isEqualTo(JSON.readTree(json));
        }
    }

    @Property(tries = 300)
    void theStreamingCheckAndTheParsedCheckDrawTheValueLimitAtTheTreesOwnCount(@ForAll("documents") Object document) {
        String json = JSON.writeValueAsString(document);
        long values = JsonValues.count(JSON.readTree(json), Long.MAX_VALUE);
        String refused = "input: input holds more than " + (values - 1) + " JSON values (limits.execution_values)";

        assertThatCode(() -> InputGuard.check(json, 1 << 20, values, "input")).doesNotThrowAnyException();
        assertThatCode(() -> InputGuard.parse(json, 1 << 20, values, "input")).doesNotThrowAnyException();
        assertThat(rejection(() -> InputGuard.check(json, 1 << 20, values - 1, "input")))
                .isEqualTo(refused);
        assertThat(rejection(() -> InputGuard.parse(json, 1 << 20, values - 1, "input")))
                .isEqualTo(refused);
    }

    @Provide
    Arbitrary<Object> documents() {
        return Arbitraries.lazyOf(
                () -> Arbitraries.integers().map(i -> (Object) i),
                () -> Arbitraries.strings().alpha().ofMaxLength(4).map(t -> (Object) t),
                () -> Arbitraries.of(true, false).map(b -> (Object) b),
                () -> documents().list().ofMaxSize(4).map(l -> (Object) l),
                () -> Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(3), documents())
                        .ofMaxSize(3)
                        .map(m -> (Object) m));
    }

    @Example
    void parsingOnceReportsBrokenEmptyAndOversizedInputsAsTheCheckDoes() {
        for (String json : new String[] {"{\"a\": ", "   ", "[1, 2,]", "{\"k\": \"\\u0000\"}", "\"\\ud800\""}) {
            assertThat(rejection(() -> InputGuard.parse(json, 1 << 20, "input")))
                    .as(json)
                    .isNotNull()
                    .isEqualTo(rejection(() -> InputGuard.check(json, 1 << 20, "input")));
        }
        assertThat(rejection(() -> InputGuard.parse("[1,2,3]", 6, "input"))).contains("over the limit of 6 bytes");
    }

    @Example
    void anInputNestedDeeperThanTheReaderAllowsIsRefusedSayingSoInPlainWords() {
        String deep = "[".repeat(501) + "]".repeat(501);
        String expected = "input: input is nested more than 500 levels deep (objects and arrays)";

        assertThat(rejection(() -> InputGuard.check(deep, 1 << 20, "input"))).isEqualTo(expected);
        assertThat(rejection(() -> InputGuard.parse(deep, 1 << 20, "input"))).isEqualTo(expected);
        assertThat(rejection(() -> InputGuard.check("[".repeat(500) + "]".repeat(500), 1 << 20, "input")))
                .isNull();
    }

    @Example
    void twoValuesOneAfterTheOtherAreNotOneInput() {
        for (String json : new String[] {"{} {}", "[1] 2", "{\"a\": 1}\n{\"a\": 2}"}) {
            assertThat(rejection(() -> InputGuard.parse(json, 1 << 20, "input")))
                    .as(json)
                    .isNotNull()
                    .contains("input");
        }
    }

    @Example
    void aRequestCarriesOnlyTheInputItWasCheckedWith() {
        CheckedInput checked = InputGuard.parse("{\"a\": 1}", 100, "input");

        assertThat(new SubmitRequest("q", "h", "w", checked.json(), 0, null, null, 1, null, null, checked)
                        .checkedInput())
                .isSameAs(checked);
        assertThatThrownBy(() -> new SubmitRequest("q", "h", "w", "{\"a\": 2}", 0, null, null, 1, null, null, checked))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String rejection(Runnable r) {
        try {
            r.run();
            return null;
        } catch (SubmitRejectedException e) {
            return e.getMessage();
        }
    }
}
