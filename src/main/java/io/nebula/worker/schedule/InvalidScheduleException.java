package io.nebula.worker.schedule;

/** A cron expression, time zone or schedule definition that cannot be used; the message says why. */
public final class InvalidScheduleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidScheduleException(String message) {
        super(message);
    }
}
