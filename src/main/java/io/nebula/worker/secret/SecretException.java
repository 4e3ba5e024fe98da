package io.nebula.worker.secret;

/**
 * A provider could not answer: its service did not respond, a file could not be read. Transient
 * by nature; the message must name the secret and the cause, never a value.
 */
public final class SecretException extends Exception {
    public SecretException(String message) {
        super(message);
    }

    public SecretException(String message, Throwable cause) {
        super(message, cause);
    }
}
