package io.nebula.worker.archfixture.queue;

import java.sql.Connection;

/** Breaks the rules: a store port that hands out a JDBC connection. */
public interface ExecutionStore {
    Connection connection();
}
