package io.nebula.worker.queue;

import io.nebula.worker.config.Names;
import io.nebula.worker.json.Json;
import io.nebula.worker.json.JsonValues;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks an execution input before anything is written: well-formed JSON, within the size limit
 * (and, where given, the limit on JSON values),
 * no NUL character (PostgreSQL cannot store it in text, so neither store accepts it) and
 * no unpaired surrogate (it has no UTF-8 form). Errors name the problem and where it is.
 */
public final class InputGuard {
    private static final JsonMapper JSON = Json.MAPPER;

    private InputGuard() {}

    /**
     * Throws {@link SubmitRejectedException} when {@code queue} is not a valid queue name: queue
     * names become metric labels and log fields, so they keep the shape the worker's own {@code
     * worker.queues} must have.
     */
    public static void checkQueue(String queue, String what) {
        String problem = queueProblem(queue);
        if (problem != null) {
            throw new SubmitRejectedException(lead(what) + problem);
        }
    }

    /**
     * What is wrong with {@code queue} as a queue name ({@code "queue name 'x y' is not valid (...)"},
     * control characters shown as {@code ?}, a long name cut), or {@code null} when it is valid.
     */
    public static String queueProblem(String queue) {
        if (queue != null && Names.QUEUE.matcher(queue).matches()) {
            return null;
        }
        String shown = queue == null ? "null" : queue.length() > 64 ? queue.substring(0, 64) + "..." : queue;
        return "queue name '" + shown.replaceAll("\\p{Cntrl}", "?") + "' is not valid (" + Names.QUEUE_RULE + ")";
    }

    /**
     * Parses {@code json} once and checks it as {@link #check} does, returning the parsed value
     * with the text so that later checks (the input schema, the store) need not parse it again.
     *
     * @throws SubmitRejectedException when {@code json} is not an acceptable input
     */
    public static CheckedInput parse(String json, long maxBytes, String what) {
        return parse(json, maxBytes, Long.MAX_VALUE, what);
    }

    /** As {@link #parse(String, long, String)}, with at most {@code maxValues} JSON values. */
    public static CheckedInput parse(String json, long maxBytes, long maxValues, String what) {
        checkSize(json, maxBytes, what);
        JsonNode value;
        try {
            value = JSON.readTree(json);
        } catch (JacksonException e) {
            throw notJson(e, what);
        }
        if (value == null || value.isMissingNode()) {
            throw new SubmitRejectedException(lead(what) + "input is empty; give a JSON value such as {}");
        }
        if (!acceptableText(value)) {
            // The streaming check names the line and column of the offending string.
            check(json, maxBytes, what);
            throw new SubmitRejectedException(lead(what) + "input contains a NUL character or an unpaired surrogate");
        }
        checkValues(value, maxValues, what);
        return new CheckedInput(json, value);
    }

    /**
     * Throws {@link SubmitRejectedException} when {@code value} holds more than {@code maxValues}
     * JSON values (every object, array and scalar counts one): the heap a parsed input takes grows
     * with its values more than with its text.
     */
    public static void checkValues(JsonNode value, long maxValues, String what) {
        if (JsonValues.count(value, maxValues) > maxValues) {
            throw tooManyValues(maxValues, what);
        }
    }

    private static SubmitRejectedException tooManyValues(long maxValues, String what) {
        return tooManyValues(maxValues, what, "input");
    }

    private static SubmitRejectedException tooManyValues(long maxValues, String what, String noun) {
        return new SubmitRejectedException(
                lead(what) + noun + " holds more than " + maxValues + " JSON values (limits.execution_values)");
    }

    /**
     * Throws {@link SubmitRejectedException} when {@code json} is missing or longer than {@code
     * maxBytes} in UTF-8; for an input {@link #parse} already accepted, the one check left.
     */
    public static void checkSize(String json, long maxBytes, String what) {
        checkSize(json, maxBytes, what, "input");
    }

    private static void checkSize(String json, long maxBytes, String what, String noun) {
        if (json == null) {
            throw new SubmitRejectedException(lead(what) + noun + " is missing");
        }
        long bytes = utf8Length(json);
        if (bytes > maxBytes) {
            throw new SubmitRejectedException(lead(what) + noun + " is " + bytes + " bytes, over the limit of "
                    + maxBytes + " bytes (queue.max_input_bytes)");
        }
    }

    /** Throws {@link SubmitRejectedException} when {@code json} is not an acceptable input. */
    public static void check(String json, long maxBytes, String what) {
        check(json, maxBytes, Long.MAX_VALUE, what);
    }

    /** As {@link #check(String, long, String)}, with at most {@code maxValues} JSON values. */
    public static void check(String json, long maxBytes, long maxValues, String what) {
        check(json, maxBytes, maxValues, what, "input");
    }

    /**
     * As {@link #check(String, long, long, String)}, calling the value {@code noun} in messages
     * ({@code "--data: signal data is not valid JSON at line 1, column 6: ..."}).
     */
    public static void check(String json, long maxBytes, long maxValues, String what, String noun) {
        checkSize(json, maxBytes, what, noun);
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken t;
            int tokens = 0;
            long values = 0;
            while ((t = p.nextToken()) != null) {
                tokens++;
                if (JsonValues.isValue(t) && ++values > maxValues) {
                    throw tooManyValues(maxValues, what, noun);
                }
                if (t == JsonToken.VALUE_STRING || t == JsonToken.PROPERTY_NAME) {
                    String s = t == JsonToken.PROPERTY_NAME ? p.currentName() : p.getString();
                    checkText(s, p.currentTokenLocation(), what, noun);
                }
            }
            if (tokens == 0) {
                throw new SubmitRejectedException(lead(what) + noun + " is empty; give a JSON value such as {}");
            }
        } catch (JacksonException e) {
            throw notJson(e, what, noun);
        }
    }

    private static SubmitRejectedException notJson(JacksonException e, String what) {
        return notJson(e, what, "input");
    }

    private static SubmitRejectedException notJson(JacksonException e, String what, String noun) {
        TokenStreamLocation loc = e.getLocation();
        String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        if (e instanceof StreamConstraintsException) {
            // Jackson's text names its own configuration class; say which bound the input passed.
            String message = e.getOriginalMessage();
            String bound = message.startsWith("Document nesting depth")
                    ? "is nested more than " + StreamReadConstraints.defaults().getMaxNestingDepth()
                            + " levels deep (objects and arrays)"
                    : "passes a bound of the JSON reader: " + message.replaceFirst(", from `[^`]*`\\)", ")");
            return new SubmitRejectedException(lead(what) + noun + " " + bound + where);
        }
        return new SubmitRejectedException(
                lead(what) + noun + " is not valid JSON" + where + ": " + e.getOriginalMessage());
    }

    /** Whether no string or property name in {@code node} holds a NUL or an unpaired surrogate. */
    private static boolean acceptableText(JsonNode node) {
        if (node.isString()) {
            return acceptableText(node.asString());
        }
        if (node.isObject()) {
            for (var e : node.properties()) {
                if (!acceptableText(e.getKey()) || !acceptableText(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (node.isArray()) {
            for (JsonNode n : node) {
                if (!acceptableText(n)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean acceptableText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || Character.isLowSurrogate(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    private static void checkText(String s, TokenStreamLocation loc, String what, String noun) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new SubmitRejectedException(
                        lead(what) + noun + " contains a NUL character (\\u0000) in a string at line " + loc.getLineNr()
                                + ", column " + loc.getColumnNr() + "; NUL is not allowed");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw invalidUtf8(loc, what, noun);
            }
            if (Character.isLowSurrogate(c)) {
                throw invalidUtf8(loc, what, noun);
            }
        }
    }

    private static SubmitRejectedException invalidUtf8(TokenStreamLocation loc, String what, String noun) {
        return new SubmitRejectedException(
                lead(what) + noun + " contains an unpaired surrogate (not valid UTF-8) in a string at line "
                        + loc.getLineNr() + ", column " + loc.getColumnNr());
    }

    /** {@code what} and a colon, to start a message with; nothing for an empty {@code what}. */
    private static String lead(String what) {
        return what == null || what.isEmpty() ? "" : what + ": ";
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Decodes bytes as strict UTF-8, naming the offset of the first invalid byte. */
    public static String decodeUtf8(byte[] bytes, String what) {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            int offset = firstInvalidOffset(bytes);
            throw new SubmitRejectedException(
                    lead(what) + "not valid UTF-8 (first invalid byte at offset " + offset + ")");
        }
    }

    private static int firstInvalidOffset(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xff;
            int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
            if (len == 0 || i + len > b.length) {
                return i;
            }
            for (int k = 1; k < len; k++) {
                if ((b[i + k] & 0xc0) != 0x80) {
                    return i;
                }
            }
            i += len;
        }
        return -1;
    }
}
