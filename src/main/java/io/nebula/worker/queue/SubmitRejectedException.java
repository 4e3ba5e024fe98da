package io.nebula.worker.queue;

/** A submit was refused because its input is unacceptable; nothing was written. */
public class SubmitRejectedException extends StoreException {
    private static final long serialVersionUID = 1L;

    public SubmitRejectedException(String message) {
        super(message);
    }
}
