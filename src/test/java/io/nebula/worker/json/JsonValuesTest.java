package io.nebula.worker.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JsonValuesTest {
    private static JsonNode json(String text) {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void everyObjectArrayAndScalarCountsOnceWhereverItSits() {
        assertThat(JsonValues.count(json("null"), Long.MAX_VALUE)).isEqualTo(1);
        assertThat(JsonValues.count(json("{}"), Long.MAX_VALUE)).isEqualTo(1);
        assertThat(JsonValues.count(null, Long.MAX_VALUE)).isEqualTo(1);
        // The object, a's list and its five items, b's empty list; keys are not values.
        assertThat(JsonValues.count(json("{\"a\": [1, \"x\", null, true, {}], \"b\": []}"), Long.MAX_VALUE))
                .isEqualTo(8);
        assertThat(JsonValues.count(json("[[[[\"deep\"]]]]"), Long.MAX_VALUE)).isEqualTo(5);
    }

    @Test
    void theCountStopsOnceItPassesTheGivenBound() {
        JsonNode many = json("[" + "{},".repeat(9_999) + "{}]");

        assertThat(JsonValues.count(many, Long.MAX_VALUE)).isEqualTo(10_001);
        assertThat(JsonValues.count(many, 10_001)).isEqualTo(10_001);
        assertThat(JsonValues.count(many, 10)).isEqualTo(11);
    }
}
