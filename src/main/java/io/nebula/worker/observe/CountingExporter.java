package io.nebula.worker.observe;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes batches to the OTLP exporter and counts the spans of every batch whose export failed
 * (collector down, refusing, or slower than the export timeout): those spans are lost. Says so in
 * the log once when exports start failing and once when they work again, not per batch.
 */
final class CountingExporter implements SpanExporter {
    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    private final SpanExporter delegate;
    private final DropCounter drops;
    private final AtomicBoolean failing = new AtomicBoolean();

    CountingExporter(SpanExporter delegate, DropCounter drops) {
        this.delegate = delegate;
        this.drops = drops;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        CompletableResultCode result;
        try {
            result = delegate.export(spans);
        } catch (RuntimeException e) {
            failed(n);
            return CompletableResultCode.ofFailure();
        }
        result.whenComplete(() -> {
            if (!result.isSuccess()) {
                failed(n);
            } else if (failing.compareAndSet(true, false)) {
                log.info("span export works again");
            }
        });
        return result;
    }

    private void failed(int spans) {
        drops.exportFailed(spans);
        if (failing.compareAndSet(false, true)) {
            log.warn("cannot export spans to the OTLP endpoint (down, refusing or too slow); they are dropped and"
                    + " counted in worker_trace_spans_dropped_total until it answers");
        }
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }
}
