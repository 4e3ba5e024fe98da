package io.nebula.worker.archfixture.queue.postgres;

/** A stand-in PostgreSQL store. */
public class FixturePgStore {
    public String url() {
        return "jdbc:postgresql://localhost/fixture";
    }
}
