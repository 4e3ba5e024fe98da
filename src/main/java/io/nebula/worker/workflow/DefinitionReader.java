package io.nebula.worker.workflow;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Turns definition text (JSON or YAML) into a tree plus a {@link SourceIndex}. The text is read
 * twice: once token by token to record where every value starts and to enforce the nesting limit,
 * then into Jackson's tree. Definitions are small (bounded by {@link Limits#maxDefinitionBytes()}),
 * so the second pass is cheaper than building a located tree by hand.
 */
final class DefinitionReader {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** A parsed definition and where its values are in the text. */
    record Parsed(JsonNode tree, SourceIndex index) {}

    private DefinitionReader() {}

    static Parsed read(String text, String sourceName, Limits limits) throws WorkflowInvalidException {
        SourceIndex index = new SourceIndex(sourceName);
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxDefinitionBytes()) {
            throw invalid(new Problem(
                    sourceName,
                    0,
                    0,
                    "",
                    null,
                    "definition is " + bytes + " bytes, more than the limit of " + limits.maxDefinitionBytes()));
        }
        if (text.isBlank()) {
            throw invalid(new Problem(sourceName, 0, 0, "", null, "definition is empty"));
        }
        ObjectMapper mapper = isYaml(text, sourceName) ? YAML : JSON;
        try (JsonParser p = mapper.createParser(text)) {
            int depth = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                    continue;
                }
                if (t == JsonToken.PROPERTY_NAME) {
                    continue;
                }
                TokenStreamLocation loc = p.currentTokenLocation();
                String pointer = pointerOf(p, t);
                index.put(pointer, loc.getLineNr(), loc.getColumnNr());
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                    if (depth > limits.maxDepth()) {
                        throw invalid(index.problem(
                                pointer, null, "nesting is deeper than the limit of " + limits.maxDepth() + " levels"));
                    }
                }
            }
        } catch (JacksonException e) {
            TokenStreamLocation loc = e.getLocation();
            String kind = mapper == YAML ? "YAML" : "JSON";
            throw invalid(new Problem(
                    sourceName,
                    loc == null ? 0 : Math.max(loc.getLineNr(), 0),
                    loc == null ? 0 : Math.max(loc.getColumnNr(), 0),
                    "",
                    null,
                    "malformed " + kind + ": " + firstLine(e.getOriginalMessage())));
        }
        JsonNode tree = mapper.readTree(text);
        if (tree == null || tree.isMissingNode()) {
            throw invalid(new Problem(sourceName, 0, 0, "", null, "definition is empty"));
        }
        return new Parsed(tree, index);
    }

    /**
     * For a container start the parser has already entered the new context, whose path is that
     * of the container itself; for a scalar the context is the parent's, positioned at the value.
     */
    private static String pointerOf(JsonParser p, JsonToken t) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            var parent = p.streamReadContext().getParent();
            return parent == null ? "" : parent.pathAsPointer().toString();
        }
        return p.streamReadContext().pathAsPointer().toString();
    }

    static boolean isYaml(String text, String sourceName) {
        String name = sourceName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return true;
        }
        if (name.endsWith(".json")) {
            return false;
        }
        String start = text.stripLeading();
        return !(start.startsWith("{") || start.startsWith("["));
    }

    /**
     * The parser's message without its source excerpts: SnakeYAML adds "in reader, line..." lines,
     * a copy of the line and a caret, which the location already conveys.
     */
    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        return message.lines()
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .reduce((a, b) -> a + ": " + b)
                .orElse("unreadable");
    }

    private static WorkflowInvalidException invalid(Problem p) {
        return new WorkflowInvalidException(List.of(p));
    }
}
