package io.nebula.worker.runtime;

import io.nebula.worker.redact.Redaction;

/**
 * Error texts as the runtime keeps them for nodes and executions: redacted ({@link
 * Redaction#redact}), so that whatever an action or an expression put in a message, credentials in
 * URLs do not reach the database, the logs or the command line; and cut to {@code limits.error_bytes}
 * characters, so that a message quoting a large value cannot fill a row or a log.
 */
final class ErrorText {
    /** The smallest limit accepted: room for a message's start and the note that it was cut. */
    static final int MIN_CHARS = 256;

    private ErrorText() {}

    /** {@code message} redacted and, when longer than {@code maxChars}, cut with a note saying so. */
    static String of(String message, int maxChars) {
        String s = Redaction.redact(message == null ? "(no message)" : message);
        if (s.length() <= maxChars) {
            return s;
        }
        String note = " [cut: " + s.length() + " characters, more than " + RuntimeOptions.ERROR_KEY + "]";
        int keep = maxChars - note.length();
        if (Character.isHighSurrogate(s.charAt(keep - 1))) {
            keep--;
        }
        return s.substring(0, keep) + note;
    }
}
