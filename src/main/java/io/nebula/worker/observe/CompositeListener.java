package io.nebula.worker.observe;

import io.nebula.worker.queue.QueueStats;
import io.nebula.worker.queue.RescueResult;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans events out to several listeners, isolating each from the others' failures. */
final class CompositeListener implements WorkerListener {
    private static final Logger log = LoggerFactory.getLogger(CompositeListener.class);
    private final List<WorkerListener> listeners;

    CompositeListener(List<WorkerListener> listeners) {
        this.listeners = listeners;
    }

    private void each(Consumer<WorkerListener> call) {
        for (WorkerListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("listener failed listener={} error={}", l.getClass().getName(), e.toString());
            }
        }
    }

    @Override
    public void claimed(int requested, int received) {
        each(l -> l.claimed(requested, received));
    }

    @Override
    public void executionStarted(ExecutionEvent e, Duration queued) {
        each(l -> l.executionStarted(e, queued));
    }

    @Override
    public void executionEnded(ExecutionEvent e, AttemptOutcome outcome, Duration took, String error) {
        each(l -> l.executionEnded(e, outcome, took, error));
    }

    @Override
    public void nodeStarted(ExecutionEvent e, String nodeId, String action, int nodeAttempt) {
        each(l -> l.nodeStarted(e, nodeId, action, nodeAttempt));
    }

    @Override
    public void nodeEnded(ExecutionEvent e, String nodeId, String action, String status, Duration took, String error) {
        each(l -> l.nodeEnded(e, nodeId, action, status, took, error));
    }

    @Override
    public void leaseLost(ExecutionEvent e) {
        each(l -> l.leaseLost(e));
    }

    @Override
    public void heartbeat(boolean ok, int leases, Duration took) {
        each(l -> l.heartbeat(ok, leases, took));
    }

    @Override
    public void rescued(RescueResult result) {
        each(l -> l.rescued(result));
    }

    @Override
    public void pruned(int count) {
        each(l -> l.pruned(count));
    }

    @Override
    public void queueStats(List<QueueStats> stats) {
        each(l -> l.queueStats(stats));
    }

    @Override
    public void queueLimits(java.util.Map<String, Integer> limits) {
        each(l -> l.queueLimits(limits));
    }

    @Override
    public void scheduleFired(String schedule, Duration lag) {
        each(l -> l.scheduleFired(schedule, lag));
    }

    @Override
    public void scheduleSkipped(String schedule, String reason, long count) {
        each(l -> l.scheduleSkipped(schedule, reason, count));
    }

    @Override
    public void leadership(boolean leader) {
        each(l -> l.leadership(leader));
    }
}
