package io.nebula.worker.action;

import java.time.Instant;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * What a running node can learn about the signals sent to its execution (the {@code signal}
 * action reads it). The worker answers from the store, by the database clock; without a store
 * (unit tests of an action) nothing has ever arrived.
 */
@FunctionalInterface
public interface SignalInbox {
    /** An inbox where no signal ever arrives. */
    SignalInbox NONE = name -> Optional.empty();

    /**
     * The signal {@code name} of this execution, or empty when it was neither delivered nor waited
     * for yet.
     *
     * @throws ActionException (retryable) when the store cannot be read
     */
    Optional<Entry> find(String name) throws ActionException;

    /**
     * As {@link #find(String)}, with the delivered data's JSON values claimed from {@code budget}
     * before the data is parsed.
     *
     * @throws ActionException (permanent) when the execution cannot take the data's values
     */
    default Optional<Entry> find(String name, ValueBudget budget) throws ActionException {
        return find(name);
    }

    /**
     * One signal as the store has it.
     *
     * @param data the delivered data; {@code null} unless it arrived in time
     * @param timedOut the wait's timeout has passed without a delivery in time
     * @param waitingSince when a node first parked the execution for it, or {@code null}
     * @param timeoutAt when that wait times out, or {@code null}
     */
    record Entry(String name, JsonNode data, boolean timedOut, Instant waitingSince, Instant timeoutAt) {
        public boolean delivered() {
            return data != null;
        }
    }
}
