package io.nebula.worker.workflow;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each value of a parsed definition starts in its text, by JSON pointer. Jackson's tree
 * model forgets locations, so {@link DefinitionReader} records them while walking the tokens, and
 * validation looks them up to point authors at the right line.
 */
final class SourceIndex {
    /** A 1-based line and column; {@code (0, 0)} when unknown. */
    record Position(int line, int column) {
        static final Position UNKNOWN = new Position(0, 0);
    }

    private final String source;
    private final Map<String, Position> positions = new HashMap<>();

    SourceIndex(String source) {
        this.source = source;
    }

    /** An index with no positions, for definitions that come from the store rather than a file. */
    static SourceIndex empty(String source) {
        return new SourceIndex(source);
    }

    String source() {
        return source;
    }

    void put(String pointer, int line, int column) {
        positions.putIfAbsent(pointer, new Position(line, column));
    }

    /** The position of {@code pointer}, or of its nearest recorded ancestor. */
    Position find(String pointer) {
        String p = pointer;
        while (true) {
            Position pos = positions.get(p);
            if (pos != null) {
                return pos;
            }
            if (p.isEmpty()) {
                return Position.UNKNOWN;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    Problem problem(String pointer, String nodeId, String message) {
        Position pos = find(pointer);
        return new Problem(source, pos.line(), pos.column(), pointer, nodeId, message);
    }
}
