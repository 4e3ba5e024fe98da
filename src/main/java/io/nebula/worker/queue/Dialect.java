package io.nebula.worker.queue;

/**
 * The database a store speaks. Its {@link #id()} names the folder of the dialect's SQL files and is
 * what logs and reports show.
 */
public enum Dialect {
    POSTGRES("postgres"),
    SQLITE("sqlite");

    private final String id;

    Dialect(String id) {
        this.id = id;
    }

    /** The lower-case name: {@code postgres} or {@code sqlite}. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
