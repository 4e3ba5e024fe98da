package io.nebula.worker.workflow;

/**
 * One thing wrong with a workflow definition, located as precisely as the source allows.
 *
 * @param source the file name or label given when loading
 * @param line 1-based line, or 0 when unknown (for instance, a stored definition)
 * @param column 1-based column, or 0 when unknown
 * @param pointer the JSON pointer of the offending value, {@code ""} for the whole document
 * @param nodeId the node the problem belongs to, or {@code null}
 * @param message what is wrong, in words a workflow author can act on
 */
public record Problem(String source, int line, int column, String pointer, String nodeId, String message) {

    /**
     * One line: {@code examples/bad.json:12:7 /nodes/2/depends_on/0 (node 'ship'): depends on
     * unknown node 'pack'}.
     */
    public String render() {
        StringBuilder b = new StringBuilder(source);
        if (line > 0) {
            b.append(':').append(line).append(':').append(column);
        }
        if (!pointer.isEmpty()) {
            b.append(' ').append(pointer);
        }
        if (nodeId != null) {
            b.append(" (node '").append(nodeId).append("')");
        }
        return b.append(": ").append(message).toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
