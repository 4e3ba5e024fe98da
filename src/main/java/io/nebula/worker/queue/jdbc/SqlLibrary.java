package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL files of one dialect, loaded from {@code io/nebula/worker/queue/<dialect>/<name>.sql} on
 * first use and cached. Both dialects use the same operation names.
 */
public final class SqlLibrary {
    private static final Pattern MIGRATION = Pattern.compile("V(\\d{3})__([a-z0-9_]+)\\.sql");

    private final Dialect dialect;
    private final Map<String, String> substitutions;
    private final Map<String, SqlScript> cache = new ConcurrentHashMap<>();

    public SqlLibrary(Dialect dialect, Map<String, String> substitutions) {
        this.dialect = dialect;
        this.substitutions = Map.copyOf(substitutions);
    }

    public Dialect dialect() {
        return dialect;
    }

    public SqlScript get(String name) {
        return cache.computeIfAbsent(
                name, n -> SqlScript.parse(dialect.id() + "/" + n + ".sql", read(n + ".sql"), substitutions));
    }

    /** A numbered migration file. */
    public record Migration(int version, String name, SqlScript script) {}

    /** The schema version this dialect's migrations end at (0 when there are none). */
    public int schemaVersion() {
        List<Migration> all = migrations();
        return all.isEmpty() ? 0 : all.get(all.size() - 1).version();
    }

    /** The migrations of this dialect in version order, from the index file {@code migrations/INDEX}. */
    public List<Migration> migrations() {
        List<Migration> out = new ArrayList<>();
        for (String line : read("migrations/INDEX").split("\n")) {
            String file = line.strip();
            if (file.isEmpty() || file.startsWith("#")) {
                continue;
            }
            Matcher m = MIGRATION.matcher(file);
            if (!m.matches()) {
                throw new IllegalStateException(
                        "bad migration file name in " + dialect.id() + "/migrations/INDEX: " + file);
            }
            int version = Integer.parseInt(m.group(1));
            // Numbers only increase; one may be skipped (reserved by a change that lands separately).
            int previous = out.isEmpty() ? 0 : out.get(out.size() - 1).version();
            if (version <= previous) {
                throw new IllegalStateException("migrations must be numbered in increasing order: " + file);
            }
            out.add(new Migration(
                    version,
                    m.group(2),
                    SqlScript.parse(dialect.id() + "/migrations/" + file, read("migrations/" + file), substitutions)));
        }
        return out;
    }

    private String read(String file) {
        String path = "/io/nebula/worker/queue/" + dialect.id() + "/" + file;
        try (InputStream in = SqlLibrary.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing SQL resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SQL resource " + path, e);
        }
    }
}
