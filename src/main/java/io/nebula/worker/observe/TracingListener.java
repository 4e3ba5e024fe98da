package io.nebula.worker.observe;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Per-execution tracing ({@code tracing.enabled}): one structured record when each
 * attempt and each node starts and ends, with its duration, attempt and outcome. Every record
 * carries the execution id, so one execution's story can be followed across workers by filtering
 * on it. Records go to the logger {@code io.nebula.worker.trace} at INFO.
 */
public final class TracingListener implements WorkerListener {
    private static final Logger trace = LoggerFactory.getLogger("io.nebula.worker.trace");

    private static LoggingEventBuilder at(ExecutionEvent e) {
        return trace.atInfo()
                .addKeyValue("execution_id", e.executionId())
                .addKeyValue("workflow", e.workflowName())
                .addKeyValue("queue", e.queue())
                .addKeyValue("attempt", e.attempt())
                .addKeyValue("lease_epoch", e.leaseEpoch());
    }

    @Override
    public void executionStarted(ExecutionEvent e, Duration queued) {
        if (trace.isInfoEnabled()) {
            at(e).addKeyValue("queued_ms", queued.toMillis()).log("execution started");
        }
    }

    @Override
    public void executionEnded(ExecutionEvent e, AttemptOutcome outcome, Duration took, String error) {
        if (trace.isInfoEnabled()) {
            LoggingEventBuilder b = at(e).addKeyValue("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                    .addKeyValue("duration_ms", took.toMillis());
            if (error != null) {
                b = b.addKeyValue("error", error);
            }
            b.log("execution ended");
        }
    }

    @Override
    public void nodeStarted(ExecutionEvent e, String nodeId, String action, int nodeAttempt) {
        if (trace.isInfoEnabled()) {
            at(e).addKeyValue("node_id", nodeId)
                    .addKeyValue("action", action)
                    .addKeyValue("node_attempt", nodeAttempt)
                    .log("node started");
        }
    }

    @Override
    public void nodeEnded(ExecutionEvent e, String nodeId, String action, String status, Duration took, String error) {
        if (trace.isInfoEnabled()) {
            LoggingEventBuilder b = at(e).addKeyValue("node_id", nodeId)
                    .addKeyValue("action", action)
                    .addKeyValue("status", status)
                    .addKeyValue("duration_ms", took.toMillis());
            if (error != null) {
                b = b.addKeyValue("error", error);
            }
            b.log("node ended");
        }
    }

    @Override
    public void leaseLost(ExecutionEvent e) {
        at(e).log("lease lost");
    }
}
