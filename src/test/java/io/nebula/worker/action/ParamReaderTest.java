package io.nebula.worker.action;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** What a param's problem says: the bounds as written, not in Java's exponent notation. */
class ParamReaderTest {
    @Test
    void aNumberOutOfRangeNamesItsBoundsPlainly() throws Exception {
        ParamReader r = ParamReader.forValidation(JsonMapper.builder().build().readTree("{\"timeout_seconds\": 1e9}"));

        r.number("timeout_seconds", false, 0.001, 31_622_400);

        assertThat(r.problems()).containsExactly("timeout_seconds: must be between 0.001 and 31622400, got 1.0E9");
    }
}
