package io.nebula.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SQL files of the two dialects: the same operation names in each folder (so a statement
 * added for one dialect is not forgotten in the other), the same migrations in the same order,
 * and a comment at the top of every file saying what it does.
 */
class SqlFilesTest {
    private static final Path ROOT =
            Path.of(System.getProperty("nebula.project.dir", "."), "src/main/resources/io/nebula/worker/queue");

    /** Operations only one dialect has, each for a reason the other dialect does not share. */
    private static final Map<String, Set<String>> ONLY = Map.of(
            // LISTEN/NOTIFY: SQLite has no channel between processes; its claimers are woken in-process.
            // connection_facts: only a PostgreSQL connection can pass through a pooler.
            // transaction_abandon_after: only a server can be left holding a dead client's locks;
            // SQLite's transactions live and die with the worker's process.
            // transaction_snapshot: SQLite's deferred transaction is a snapshot already (WAL mode).
            // execution_wake_parent: only a server's child end can find its parent's row held by
            // another transaction; SQLite has one writer at a time.
            // execution_lock_many: only concurrent writers can wait for each other's row locks.
            "postgres",
                    Set.of(
                            "connection_facts",
                            "execution_lock_many",
                            "execution_wake_parent",
                            "listener_check",
                            "transaction_abandon_after",
                            "transaction_snapshot",
                            "wakeup_announce",
                            "wakeup_listen",
                            "wakeup_notify"),
            // SQLite draws execution ids itself under the write lock (no sequence to call in a CTE).
            // PostgreSQL's execution_succeed writes the node results of attempts whose cancel won in
            // the same statement (a data-modifying CTE); SQLite's runs a second one for them.
            // PostgreSQL's claim function keeps the queues' limits itself; a SQLite claim that asks for
            // a limited queue reads each one's room, picks candidates and claims them by id, in the
            // same write transaction.
            "sqlite",
                    Set.of(
                            "execution_id_reserve",
                            "execution_succeed_cancelled_nodes",
                            "queue_room",
                            "execution_claim_candidates",
                            "execution_claim_ids"));

    @Test
    void bothDialectsHaveTheSameOperations() throws IOException {
        Set<String> postgres = operations("postgres");
        Set<String> sqlite = operations("sqlite");
        postgres.removeAll(ONLY.get("postgres"));
        sqlite.removeAll(ONLY.get("sqlite"));

        assertThat(sqlite).as("operations of sqlite against postgres").isEqualTo(postgres);
        assertThat(operations("postgres")).containsAll(ONLY.get("postgres"));
        assertThat(operations("sqlite")).containsAll(ONLY.get("sqlite"));
    }

    @Test
    void bothDialectsListTheSameMigrationsAndEveryListedFileExists() throws IOException {
        List<String> postgres = index("postgres");
        List<String> sqlite = index("sqlite");

        assertThat(sqlite).isEqualTo(postgres);
        for (String dialect : List.of("postgres", "sqlite")) {
            for (String file : index(dialect)) {
                assertThat(ROOT.resolve(dialect).resolve("migrations").resolve(file))
                        .as(dialect + " migration listed in INDEX")
                        .exists();
            }
            try (Stream<Path> files = Files.list(ROOT.resolve(dialect).resolve("migrations"))) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")))
                        .as(dialect + " migrations on disk")
                        .containsExactlyInAnyOrderElementsOf(index(dialect));
            }
        }
    }

    @Test
    void everySqlFileStartsWithAComment() throws IOException {
        for (String dialect : List.of("postgres", "sqlite")) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(dialect))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                    assertThat(Files.readString(f)).as(f.toString()).startsWith("--");
                }
            }
        }
    }

    private static Set<String> operations(String dialect) throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve(dialect))) {
            Set<String> out = new TreeSet<>();
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".sql"))
                    .forEach(n -> out.add(n.substring(0, n.length() - 4)));
            return out;
        }
    }

    private static List<String> index(String dialect) throws IOException {
        return Files.readAllLines(ROOT.resolve(dialect).resolve("migrations/INDEX")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }
}
