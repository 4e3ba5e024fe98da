package io.nebula.worker.workflow;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Finds the node ids an expression mentions as {@code nodes.ID} or {@code nodes['ID']}, so that a
 * reference to a node that is not upstream is reported at load time instead of failing as a
 * missing key in the middle of an execution. A textual scan: an id computed at run time (such as
 * {@code nodes[input.which]}) is not seen and is left to the run-time check.
 */
final class NodeReferences {
    private static final Pattern DOT = Pattern.compile("\\bnodes\\s*\\.\\s*([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern INDEX = Pattern.compile("\\bnodes\\s*\\[\\s*(['\"])([^'\"]+)\\1\\s*]");

    private NodeReferences() {}

    /** Ids mentioned in one expression's source, in order of first mention. */
    static Set<String> in(String expression) {
        Set<String> ids = new LinkedHashSet<>();
        Matcher m = DOT.matcher(expression);
        while (m.find()) {
            ids.add(m.group(1));
        }
        m = INDEX.matcher(expression);
        while (m.find()) {
            ids.add(m.group(2));
        }
        return ids;
    }

    /** A reference found in a template: where it is and which id it names. */
    record Reference(String pointer, String nodeId) {}

    /** References inside the placeholders of every string in {@code template}. */
    static List<Reference> inTemplate(JsonNode template, String pointer) {
        List<Reference> out = new ArrayList<>();
        collect(template, pointer, out);
        return out;
    }

    private static void collect(JsonNode v, String pointer, List<Reference> out) {
        if (v == null) {
            return;
        }
        if (v.isString()) {
            for (Placeholders.Part p : Placeholders.split(v.asString())) {
                if (p.expression() != null) {
                    in(p.expression()).forEach(id -> out.add(new Reference(pointer, id)));
                }
            }
        } else if (v.isObject()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                collect(e.getValue(), pointer + "/" + Template.escape(e.getKey()), out);
            }
        } else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                collect(v.get(i), pointer + "/" + i, out);
            }
        }
    }
}
