package io.nebula.worker.observe;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;

/**
 * Passes batches to the OTLP exporter and counts the spans of every batch whose export failed
 * (collector down, refusing, or slower than the export timeout): those spans are lost.
 */
final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final DropCounter drops;

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
            drops.exportFailed(n);
            return CompletableResultCode.ofFailure();
        }
        result.whenComplete(() -> {
            if (!result.isSuccess()) {
                drops.exportFailed(n);
            }
        });
        return result;
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
