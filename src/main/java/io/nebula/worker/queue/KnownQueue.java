package io.nebula.worker.queue;

/**
 * A queue the store knows: one a worker has served or an operator created. Submitting to, or
 * pausing, a queue outside this list is most likely a typo, and operators are asked to confirm.
 */
public record KnownQueue(String name, boolean paused) {}
