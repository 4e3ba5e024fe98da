package io.nebula.worker.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Builds loaders with a fixed environment, working directory and worker id, and writes TOML files. */
final class ConfigFixture {
    static final String DEFAULT_WORKER_ID = "testhost-42";

    private final Path dir;

    ConfigFixture(Path dir) {
        this.dir = dir;
    }

    ConfigLoader loader(Map<String, String> env) {
        return new ConfigLoader(env, dir, () -> DEFAULT_WORKER_ID);
    }

    WorkerConfig load(String toml, Map<String, String> env, FlagOverrides flags) {
        return loader(env).load(toml == null ? null : toml(toml), flags);
    }

    Path toml(String text) {
        try {
            Path file = Files.createTempFile(dir, "worker", ".toml");
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }
}
