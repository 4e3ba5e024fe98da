package io.nebula.worker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON log of one worker process (written with {@code NEBULA_LOG_FORMAT=json}), read back as
 * records. Lines that are not JSON objects (JVM warnings, a line cut short by {@code kill -9}) are
 * skipped. Each record keeps its byte offset in the file, so a test can split the log at a moment
 * it noted with {@link WorkerProcess#logSize()} (for example: what a paused worker did after it
 * was resumed).
 */
public final class WorkerLog {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One log record and where its line starts in the file. */
    public record Entry(long offset, JsonNode json) {
        public String msg() {
            return json.path("msg").asString("");
        }

        public String text(String field) {
            JsonNode n = json.get(field);
            return n == null || n.isNull() ? null : n.asString();
        }

        public long number(String field) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) {
                return -1;
            }
            return n.isNumber() ? n.asLong() : Long.parseLong(n.asString());
        }
    }

    private final List<Entry> entries;

    private WorkerLog(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static WorkerLog read(Path file) {
        if (!Files.exists(file)) {
            return new WorkerLog(List.of());
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Entry> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i > start && bytes[start] == '{') {
                    String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
                    try {
                        JsonNode n = JSON.readTree(line);
                        if (n.isObject()) {
                            out.add(new Entry(start, n));
                        }
                    } catch (JacksonException e) {
                        // a line cut short by a kill: not a record
                    }
                }
                start = i + 1;
            }
        }
        return new WorkerLog(out);
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<Entry> messages(String msg) {
        return select(e -> e.msg().equals(msg));
    }

    public List<Entry> select(Predicate<Entry> p) {
        return entries.stream().filter(p).toList();
    }

    public Optional<Entry> first(Predicate<Entry> p) {
        return entries.stream().filter(p).findFirst();
    }

    /** Records at or after {@code offset} (a {@link WorkerProcess#logSize()} noted earlier). */
    public WorkerLog after(long offset) {
        return new WorkerLog(select(e -> e.offset() >= offset));
    }
}
