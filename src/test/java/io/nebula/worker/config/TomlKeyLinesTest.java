package io.nebula.worker.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TomlKeyLinesTest {
    @Test
    void findsKeysUnderTablesDottedAndQuotedKeys() {
        TomlKeyLines lines = TomlKeyLines.index("""
                # header
                top = 1
                [worker]
                concurrency = 8
                "poll_interval_ms" = 100
                [queue]
                retry.backoff = 3
                """);

        assertThat(lines.lineOf("top")).isEqualTo(2);
        assertThat(lines.lineOf("worker")).isEqualTo(3);
        assertThat(lines.lineOf("worker.concurrency")).isEqualTo(4);
        assertThat(lines.lineOf("worker.poll_interval_ms")).isEqualTo(5);
        assertThat(lines.lineOf("queue.retry.backoff")).isEqualTo(7);
    }

    @Test
    void ignoresLinesInsideMultiLineStringsAndArrays() {
        TomlKeyLines lines = TomlKeyLines.index("""
                [worker]
                queues = [
                  "fake = 1",
                ]
                note = \"""
                bogus = 2
                \"""
                concurrency = 4
                """);

        assertThat(lines.lineOf("worker.fake")).isEqualTo(1); // falls back to the table's line
        assertThat(lines.lineOf("worker.bogus")).isEqualTo(1);
        assertThat(lines.lineOf("worker.concurrency")).isEqualTo(8);
    }

    @Test
    void unknownPathsFallBackToTheNearestAncestor() {
        TomlKeyLines lines = TomlKeyLines.index("[a]\nb = { c = 1 }\n");

        assertThat(lines.lineOf("a.b.c")).isEqualTo(2);
        assertThat(lines.lineOf("z")).isZero();
    }
}
