package io.nebula.worker.schedule;

import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.Schedule;
import io.nebula.worker.workflow.DeployedWorkflows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.toml.TomlMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a schedule file ({@code schedules apply FILE}): YAML ({@code .yaml}, {@code .yml}) or TOML
 * ({@code .toml}) with a list {@code schedules}, each entry with the keys of {@code schedules
 * create}. Workflow paths are relative to the file. Every problem is reported at once, each with
 * the file, the line where it can be found, the entry and the key.
 *
 * <pre>
 * schedules:
 *   - name: nightly-report
 *     workflow: nightly-report.yaml
 *     cron: "0 2 * * *"
 *     timezone: Europe/Berlin
 *     input: { scope: yesterday }
 *     overlap: skip
 * </pre>
 */
public final class ScheduleFile {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper TOML = TomlMapper.builder().build();
    private static final Set<String> KEYS = new LinkedHashSet<>(List.of(
            "name", "workflow", "cron", "timezone", "input", "queue", "overlap", "catch_up", "max_retries", "paused"));

    private ScheduleFile() {}

    /** A schedule file that cannot be used; {@link #problems()} lists every reason. */
    public static final class InvalidFileException extends Exception {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        InvalidFileException(Path file, List<String> problems) {
            super(file + " is not a valid schedule file (" + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + ")");
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** Reads and checks the file's structure; the schedules' contents are checked when resolved. */
    public static List<ScheduleSpec> read(Path file) throws IOException, InvalidFileException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean toml = name.endsWith(".toml");
        if (!toml && !name.endsWith(".yaml") && !name.endsWith(".yml")) {
            throw new InvalidFileException(file, List.of(file + ": a schedule file ends in .yaml, .yml or .toml"));
        }
        String text = Files.readString(file);
        ObjectMapper mapper = toml ? TOML : YAML;
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root;
        try {
            lines = lines(mapper, text);
            root = mapper.readTree(text);
        } catch (JacksonException e) {
            TokenStreamLocation loc = e.getLocation();
            String at = loc == null || loc.getLineNr() <= 0 ? "" : " line " + loc.getLineNr();
            throw new InvalidFileException(
                    file,
                    List.of(file + at + ": not valid " + (toml ? "TOML" : "YAML") + ": " + e.getOriginalMessage()));
        }
        List<String> problems = new ArrayList<>();
        Path base = file.toAbsolutePath().getParent();
        JsonNode list = root == null ? null : root.get("schedules");
        if (root == null || !root.isObject() || list == null || !list.isArray()) {
            throw new InvalidFileException(file, List.of(file + ": expected a list 'schedules' at the top level"));
        }
        for (var it = root.propertyNames().iterator(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("schedules")) {
                problems.add(
                        file + line(lines, "/" + key) + ": unknown top-level key '" + key + "' (only 'schedules')");
            }
        }
        List<ScheduleSpec> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String pointer = "/schedules/" + i;
            JsonNode e = list.get(i);
            String label = "schedules[" + i + "]";
            if (!e.isObject()) {
                problems.add(file + line(lines, pointer) + ": " + label + ": expected a table of keys");
                continue;
            }
            JsonNode n = e.get("name");
            String where = file + line(lines, pointer) + ": " + label
                    + (n != null && n.isString() ? " (" + n.asString() + ")" : "");
            int before = problems.size();
            for (var keys = e.propertyNames().iterator(); keys.hasNext(); ) {
                String key = keys.next();
                if (!KEYS.contains(key)) {
                    problems.add(where + ": unknown key '" + key + "'"
                            + line(lines, pointer + "/" + key, " (line ", ")") + "; known: " + String.join(", ", KEYS));
                }
            }
            String sName = text(e, "name", true, where, problems);
            String workflow = text(e, "workflow", true, where, problems);
            String cron = text(e, "cron", true, where, problems);
            String zone = text(e, "timezone", false, where, problems);
            String queue = text(e, "queue", false, where, problems);
            String input = null;
            if (e.has("input")) {
                input = e.get("input").toString();
            }
            Schedule.Overlap overlap = null;
            String o = text(e, "overlap", false, where, problems);
            if (o != null) {
                try {
                    overlap = Schedule.Overlap.parse(o);
                } catch (IllegalArgumentException x) {
                    problems.add(where + ": overlap: " + x.getMessage());
                }
            }
            Schedule.CatchUp catchUp = null;
            if (e.has("catch_up")) {
                JsonNode c = e.get("catch_up");
                try {
                    catchUp = Schedule.CatchUp.parse(c.isString() ? c.asString() : c.toString());
                } catch (IllegalArgumentException x) {
                    problems.add(where + ": catch_up: " + x.getMessage());
                }
            }
            Integer retries = null;
            if (e.has("max_retries")) {
                JsonNode r = e.get("max_retries");
                if (r.isIntegralNumber() && r.asLong() >= 0 && r.asLong() <= 1000) {
                    retries = r.asInt();
                } else {
                    problems.add(where + ": max_retries: expected a whole number from 0 to 1000, got " + r);
                }
            }
            Boolean paused = null;
            if (e.has("paused")) {
                JsonNode p = e.get("paused");
                if (p.isBoolean()) {
                    paused = p.asBoolean();
                } else {
                    problems.add(where + ": paused: expected true or false, got " + p);
                }
            }
            if (cron != null) {
                try {
                    CronSchedule.parse(cron, zone);
                } catch (InvalidScheduleException x) {
                    problems.add(where + ": " + x.getMessage());
                }
            }
            String queueProblem = queue == null ? null : InputGuard.queueProblem(queue);
            if (queueProblem != null) {
                problems.add(where + ": " + queueProblem);
            }
            if (workflow != null && DeployedWorkflows.isFile(workflow)) {
                // Read later with the workflow itself; a missing file is named here with the rest.
                Path wf = base.resolve(workflow).normalize();
                if (!Files.isRegularFile(wf) || !Files.isReadable(wf)) {
                    problems.add(where + ": workflow" + line(lines, pointer + "/workflow", " (line ", ")")
                            + ": cannot read " + wf + (Files.exists(wf) ? "" : ": no such file"));
                }
            }
            if (sName != null) {
                try {
                    ScheduleSpec.checkName(sName);
                    if (!names.add(sName)) {
                        problems.add(where + ": name '" + sName + "' appears more than once in the file");
                    }
                } catch (InvalidScheduleException x) {
                    problems.add(where + ": " + x.getMessage());
                }
            }
            if (problems.size() == before) {
                out.add(new ScheduleSpec(
                        sName,
                        // A file next to the schedule file, or else a deployed workflow's name.
                        DeployedWorkflows.isFile(workflow) || Files.isRegularFile(base.resolve(workflow))
                                ? base.resolve(workflow).normalize()
                                : Path.of(workflow),
                        cron,
                        zone,
                        input,
                        queue,
                        overlap,
                        catchUp,
                        retries,
                        paused,
                        where));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidFileException(file, problems);
        }
        return out;
    }

    private static String text(JsonNode e, String key, boolean required, String where, List<String> problems) {
        JsonNode v = e.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add(where + ": " + key + " is required");
            }
            return null;
        }
        if (!v.isString() || v.asString().isBlank()) {
            problems.add(where + ": " + key + ": expected a non-empty string, got " + v);
            return null;
        }
        return v.asString();
    }

    private static String line(Map<String, Integer> lines, String pointer) {
        return line(lines, pointer, " line ", "");
    }

    private static String line(Map<String, Integer> lines, String pointer, String before, String after) {
        Integer l = lines.get(pointer);
        return l == null || l <= 0 ? "" : before + l + after;
    }

    /** Where each value starts (JSON pointer to line), when the parser can tell. */
    private static Map<String, Integer> lines(ObjectMapper mapper, String text) {
        Map<String, Integer> out = new HashMap<>();
        try (JsonParser p = mapper.createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY || t == JsonToken.PROPERTY_NAME) {
                    continue;
                }
                String pointer;
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    var parent = p.streamReadContext().getParent();
                    pointer = parent == null ? "" : parent.pathAsPointer().toString();
                } else {
                    pointer = p.streamReadContext().pathAsPointer().toString();
                }
                out.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
            }
        }
        return out;
    }
}
