package io.nebula.worker.bench;

import io.nebula.worker.config.DatabaseUrl;

/**
 * One database the benchmark runs against, as the user gave it. For PostgreSQL every scenario run
 * creates a fresh schema in that database and drops it afterwards; for SQLite the path names a
 * folder in which every run creates a fresh file and deletes it afterwards.
 *
 * @param text the URL as typed, handed unchanged to worker processes (it may hold a password, so it
 *     goes to their environment, never to a file or a log)
 * @param url the parsed form
 */
public record BenchTarget(String text, DatabaseUrl url) {

    /** {@code postgres} or {@code sqlite}, as in the report. */
    public String store() {
        return url instanceof DatabaseUrl.Postgres ? "postgres" : "sqlite";
    }

    public boolean postgres() {
        return url instanceof DatabaseUrl.Postgres;
    }

    @Override
    public String toString() {
        return url.redacted();
    }
}
