package io.nebula.worker.bench;

import io.nebula.worker.config.DatabaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A description of the machine the figures were measured on, printed with them: CPU, cores,
 * memory, operating system, JDK, the databases' versions and the settings that decide commit cost,
 * and the load average at the start (on a shared machine, the first thing to check when figures
 * look off). Anything that cannot be read is reported as {@code unknown}.
 */
final class Machine {
    private Machine() {}

    static Map<String, Object> describe(List<BenchTarget> targets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memory_mb", memoryMb());
        m.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("cpu_mhz", firstValue(Path.of("/proc/cpuinfo"), "cpu MHz"));
        m.put("hypervisor", firstValue(Path.of("/proc/cpuinfo"), "flags").contains(" hypervisor") ? "yes" : "no");
        m.put("load_average", loadAverage());
        for (BenchTarget t : targets) {
            m.put(t.store(), database(t));
        }
        return m;
    }

    private static String cpuModel() {
        return firstValue(Path.of("/proc/cpuinfo"), "model name");
    }

    private static Object memoryMb() {
        String kb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        try {
            return Long.parseLong(kb.replace("kB", "").strip()) / 1024;
        } catch (NumberFormatException e) {
            return "unknown";
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            // not Linux: fall through
        }
        return "unknown";
    }

    private static Map<String, Object> database(BenchTarget t) {
        Map<String, Object> d = new LinkedHashMap<>();
        try {
            switch (t.url()) {
                case DatabaseUrl.Postgres pg -> {
                    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.properties())) {
                        d.putAll(BenchSql.query(c, "postgres", "settings").get(0));
                        d.put("url", pg.redacted());
                    }
                }
                case DatabaseUrl.Sqlite s -> {
                    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
                        d.putAll(BenchSql.query(c, "sqlite", "settings").get(0));
                        d.put("folder", s.file().toString());
                    }
                }
            }
        } catch (SQLException e) {
            d.put("error", e.getMessage());
        }
        return d;
    }
}
