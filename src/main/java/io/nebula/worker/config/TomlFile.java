package io.nebula.worker.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * Reads a TOML configuration file into typed values, each tagged with its file and line. It is
 * strict where Jackson is lenient: any section or key not listed in {@link Setting} is an error
 * (a misspelt key must not silently fall back to its default), and so is a value of the wrong
 * type. Ranges are checked later, by {@link ConfigLoader}, the same way for every layer.
 */
final class TomlFile {
    private static final TomlMapper MAPPER = TomlMapper.builder().build();

    private TomlFile() {}

    /**
     * @param path the file, as the user named it (shown in messages as given)
     * @param pathSource where the path itself came from ({@code flag --config} or {@code env
     *     NEBULA_CONFIG}), for the "cannot read" message
     */
    static Map<Setting, SourcedValue> read(Path path, Source pathSource) {
        String text = readText(path, pathSource);
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JacksonException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            int duplicate = TomlKeyLines.index(text).firstDuplicate();
            if (e.getOriginalMessage().startsWith("Duplicate key") && duplicate > 0) {
                line = duplicate;
            }
            throw new ConfigException(
                    null,
                    Source.file(path, line) + ": malformed TOML: "
                            + e.getOriginalMessage().strip());
        }
        TomlKeyLines lines = TomlKeyLines.index(text);
        Map<Setting, SourcedValue> values = new EnumMap<>(Setting.class);
        for (Map.Entry<String, JsonNode> section : root.properties()) {
            String name = section.getKey();
            Source where = Source.file(path, lines.lineOf(name));
            if (!Setting.sections().contains(name)) {
                throw unknownTopLevel(name, where, section.getValue());
            }
            if (!section.getValue().isObject()) {
                throw new ConfigException(
                        name, "invalid " + name + " from " + where + ": expected a [" + name + "] table");
            }
            for (Map.Entry<String, JsonNode> entry : section.getValue().properties()) {
                String key = name + "." + entry.getKey();
                Source source = Source.file(path, lines.lineOf(key));
                Setting setting = Setting.byKey(key).orElseThrow(() -> unknownKey(name, entry.getKey(), source));
                try {
                    values.put(setting, new SourcedValue(setting.type().fromToml(entry.getValue()), source));
                } catch (IllegalArgumentException e) {
                    throw ConfigException.invalid(setting, source, e.getMessage());
                }
            }
        }
        return values;
    }

    private static String readText(Path path, Source pathSource) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException(null, "configuration file " + path + " (from " + pathSource + ") does not exist");
        } catch (CharacterCodingException e) {
            throw new ConfigException(null, "configuration file " + path + " is not valid UTF-8");
        } catch (IOException e) {
            throw new ConfigException(
                    null, "cannot read configuration file " + path + " (from " + pathSource + "): " + e);
        }
    }

    private static ConfigException unknownTopLevel(String name, Source where, JsonNode value) {
        if (value.isObject()) {
            return new ConfigException(
                    name,
                    "unknown section [" + name + "] in " + where + "; known sections: "
                            + String.join(", ", Setting.sections()) + suggestion(name, Setting.sections()));
        }
        Optional<Setting> homed = List.of(Setting.values()).stream()
                .filter(s -> s.keyInSection().equals(name))
                .findFirst();
        String hint = homed.map(s -> "; it belongs under [" + s.section() + "]").orElse("");
        return new ConfigException(name, "unknown key " + name + " in " + where + " outside any section" + hint);
    }

    private static ConfigException unknownKey(String section, String key, Source where) {
        List<String> known = List.of(Setting.values()).stream()
                .filter(s -> s.section().equals(section))
                .map(Setting::keyInSection)
                .toList();
        return new ConfigException(
                section + "." + key,
                "unknown key " + section + "." + key + " in " + where + "; [" + section + "] accepts: "
                        + String.join(", ", known) + suggestion(key, known));
    }

    /** "(did you mean x?)" for a near miss: at most two edits away. */
    private static String suggestion(String given, List<String> known) {
        return known.stream()
                .filter(k -> editDistance(given, k) <= 2)
                .findFirst()
                .map(k -> " (did you mean " + k + "?)")
                .orElse("");
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
