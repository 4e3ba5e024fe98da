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

    @Test
    void countingTheTextGivesTheTreesCountWithoutBuildingIt() {
        for (String text :
                new String[] {"null", "{}", "[[[[\"deep\"]]]]", "{\"a\": [1, \"x\", null, true, {}], \"b\": []}"}) {
            assertThat(JsonValues.countText(text, Long.MAX_VALUE))
                    .as(text)
                    .isEqualTo(JsonValues.count(json(text), Long.MAX_VALUE));
        }
        assertThat(JsonValues.countText("[" + "{},".repeat(9_999) + "{}]", 10)).isEqualTo(11);
        // The count stops before the broken part, so a document cut short past the bound still counts.
        assertThat(JsonValues.countText("[1, 2, 3, {", 2)).isEqualTo(3);
    }

    @Test
    void theTextLengthCountsStringsAndPropertyNames() {
        assertThat(JsonValues.textLength(json("{\"ab\": [\"cde\", 12345, true, null, {\"f\": \"\"}]}"), Long.MAX_VALUE))
                .isEqualTo(2 + 3 + 1);
        assertThat(JsonValues.textLength(json("12345"), Long.MAX_VALUE)).isZero();
        assertThat(JsonValues.textLength(json("[" + "\"xx\",".repeat(999) + "\"xx\"]"), 10))
                .isBetween(11L, 12L);
    }
}
