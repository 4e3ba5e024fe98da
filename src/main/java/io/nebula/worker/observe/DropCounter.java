package io.nebula.worker.observe;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts lost spans: those of failed exports (told by {@link CountingExporter}) and those the batch
 * processor dropped because its queue was full. The processor counts the latter in its own
 * telemetry, which it reports to the meter provider it is given; this reader is that provider's
 * only reader and sums the dropped spans when asked (a scrape), never on the hot path.
 */
final class DropCounter implements MetricReader {
    private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private final LongAdder failedExports = new LongAdder();
    private final SdkMeterProvider meters =
            SdkMeterProvider.builder().registerMetricReader(this).build();
    private volatile CollectionRegistration registration;

    SdkMeterProvider meterProvider() {
        return meters;
    }

    void exportFailed(int spans) {
        failedExports.add(spans);
    }

    long dropped() {
        return failedExports.sum() + queueDrops();
    }

    private long queueDrops() {
        CollectionRegistration r = registration;
        if (r == null) {
            return 0;
        }
        long n = 0;
        for (MetricData m : r.collectAllMetrics()) {
            if (m.getType() != MetricDataType.LONG_SUM) {
                continue;
            }
            for (LongPointData p : m.getLongSumData().getPoints()) {
                Attributes a = p.getAttributes();
                if (Boolean.TRUE.equals(a.get(DROPPED)) || a.get(ERROR_TYPE) != null) {
                    n += p.getValue();
                }
            }
        }
        return n;
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
