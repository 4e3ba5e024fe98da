package io.nebula.worker.queue;

/**
 * A store operation failed after its retries. The message names the operation; the cause holds the
 * driver's error. Messages never contain credentials.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
