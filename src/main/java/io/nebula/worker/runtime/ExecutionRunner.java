package io.nebula.worker.runtime;

import io.nebula.worker.queue.RunOutcome;

/**
 * Runs one attempt of one execution to its outcome, on the calling thread. Implementations catch
 * action failures and turn them into outcomes; they throw only for bugs and for what the attempt's
 * {@link Attempt#definitionJson()} throws (a store that cannot read the definition).
 */
@FunctionalInterface
public interface ExecutionRunner {
    RunOutcome run(Attempt attempt);
}
