package io.nebula.worker.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The extension functions whose result can be far larger than their inputs are charged before
 * they build it: the function itself never runs when the budget would be passed.
 */
class ChargedLibraryTest {
    private static final Limits LIMITS = Limits.defaults().withEvaluation(1024 * 1024, Duration.ofSeconds(20));

    /** Applies {@code id}'s charged binding to {@code args} in an evaluation; whether the function ran. */
    private static boolean ran(String id, Object... args) throws CelEvaluationException {
        AtomicBoolean ran = new AtomicBoolean();
        CelFunctionBinding b = ChargedLibrary.charged(CelFunctionBinding.from(id, List.of(Object.class), a -> {
            ran.set(true);
            return List.of();
        }));
        Evaluation outer = new Evaluation(LIMITS).enter();
        try {
            b.getDefinition().apply(args);
        } finally {
            Evaluation.exit(outer);
        }
        return ran.get();
    }

    @Test
    void aFlattenThatWouldMultiplyItsInputIsRefusedBeforeItRuns() throws Exception {
        // 2,000 references to one list of 2,000: 4,000,000 elements, 32 MB of references.
        List<Object> row = Collections.nCopies(2_000, 0L);
        List<Object> square = Collections.nCopies(2_000, row);

        assertThatThrownBy(() -> ran("list_flatten", square))
                .isInstanceOf(CelEvaluationException.class)
                .hasMessageContaining("(limits.expression_bytes)");
        assertThat(ran("list_flatten", Collections.nCopies(100, List.of(1L, 2L))))
                .isTrue();
        // flatten(list, 0) returns the list as it is; depth 2 counts the second level too.
        assertThat(ran("list_flatten_list_int", square, 0L)).isTrue();
        assertThatThrownBy(() -> ran("list_flatten_list_int", List.of(square), 2L))
                .isInstanceOf(CelEvaluationException.class);
    }

    @Test
    void aSplitIntoPiecesIsChargedForEachPieceBeforeItRuns() throws Exception {
        String text = "a".repeat(100_000); // 100 KB; split(''): 100,000 strings of about 48 bytes each

        assertThatThrownBy(() -> ran("string_split_string", text, ""))
                .isInstanceOf(CelEvaluationException.class)
                .hasMessageContaining("(limits.expression_bytes)");
        assertThat(ran("string_split_string", text, ",")).isTrue();
        assertThat(ran("string_split_string_int", text, "", 10L)).isTrue();
    }
}
