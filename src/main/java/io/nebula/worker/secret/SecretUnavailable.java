package io.nebula.worker.secret;

/**
 * A secret a node reads could not be resolved. {@link #retryable()} is false when no provider has
 * it (running again will not help until an operator sets it) and true when a provider failed.
 */
public final class SecretUnavailable extends Exception {
    private final String secret;
    private final boolean retryable;

    SecretUnavailable(String secret, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.secret = secret;
        this.retryable = retryable;
    }

    /** The name of the secret that was not resolved. */
    public String secret() {
        return secret;
    }

    public boolean retryable() {
        return retryable;
    }
}
