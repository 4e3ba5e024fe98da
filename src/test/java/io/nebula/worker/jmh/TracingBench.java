package io.nebula.worker.jmh;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the OpenTelemetry SDK costs for the spans of one traced five-node execution, on one thread
 * and with no network: the attempt's span and one span per node try, with the attributes the
 * worker gives them ({@code observe.Tracing} and {@code observe.OtelSpan}), made and ended through
 * the SDK's tracer provider. {@code made}: a span processor that keeps nothing, so the score is
 * making and ending the spans. {@code encoded}: each ended span is read as span data and every 512
 * are encoded to OTLP protobuf (the exporter's low-allocation marshaler, as the worker's exporter
 * uses) into a discarding stream, so the score adds what the batch processor and the exporter do on
 * their threads, except queueing and the HTTP request. {@code immutable}: the same with the
 * exporter's other memory mode, which builds a marshaler object per span and attribute. Scored per
 * execution (six spans).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TracingBench {
    private static final String[] NODES = {"start", "a", "b", "c", "join"};
    private static final int EXPORT_BATCH = 512;
    // One key object per name, as the worker has them (the encoder caches a key's UTF-8 on it).
    private static final AttributeKey<Long> EXECUTION_ID = AttributeKey.longKey("nebula.execution.id");
    private static final AttributeKey<String> WORKFLOW_NAME = AttributeKey.stringKey("nebula.workflow.name");
    private static final AttributeKey<String> WORKFLOW_HASH = AttributeKey.stringKey("nebula.workflow.hash");
    private static final AttributeKey<String> QUEUE = AttributeKey.stringKey("nebula.queue");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("nebula.attempt");
    private static final AttributeKey<Long> LEASE_EPOCH = AttributeKey.longKey("nebula.lease_epoch");
    private static final AttributeKey<String> WORKER_ID = AttributeKey.stringKey("nebula.worker.id");
    private static final AttributeKey<String> NODE_ID = AttributeKey.stringKey("nebula.node.id");
    private static final AttributeKey<String> NODE_ACTION = AttributeKey.stringKey("nebula.node.action");
    private static final AttributeKey<Long> NODE_TRY = AttributeKey.longKey("nebula.node.try");
    private static final AttributeKey<String> NODE_STATUS = AttributeKey.stringKey("nebula.node.status");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("nebula.outcome");

    @Param({"made", "encoded", "immutable"})
    public String stage;

    private SdkTracerProvider provider;
    private Tracer tracer;
    private final List<SpanData> ended = new ArrayList<>(EXPORT_BATCH);
    private final LowAllocationTraceRequestMarshaler marshaler = new LowAllocationTraceRequestMarshaler();
    private long executionId = 1_000_000;

    @Setup
    public void setUp() {
        boolean encode = !"made".equals(stage);
        SpanProcessor processor = new SpanProcessor() {
            @Override
            public void onStart(Context parentContext, ReadWriteSpan span) {}

            @Override
            public boolean isStartRequired() {
                return false;
            }

            @Override
            public void onEnd(ReadableSpan span) {
                if (encode) {
                    ended.add(span.toSpanData());
                    if (ended.size() == EXPORT_BATCH) {
                        export();
                    }
                }
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }
        };
        provider = SdkTracerProvider.builder()
                .setSampler(Sampler.alwaysOn())
                .addSpanProcessor(processor)
                .build();
        tracer = provider.get("io.nebula.worker");
    }

    private void export() {
        if ("immutable".equals(stage)) {
            try {
                TraceRequestMarshaler.create(ended).writeBinaryTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                ended.clear();
            }
            return;
        }
        marshaler.initialize(ended);
        try {
            marshaler.writeBinaryTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            marshaler.reset();
            ended.clear();
        }
    }

    @TearDown
    public void tearDown() {
        provider.close();
    }

    /** The attempt's span and its five node spans, made, attributed and ended. */
    @Benchmark
    public Span execution() {
        long id = executionId++;
        Span attempt = tracer.spanBuilder("execution bench-dag")
                .setSpanKind(SpanKind.CONSUMER)
                .setNoParent()
                .setAttribute(EXECUTION_ID, id)
                .setAttribute(WORKFLOW_NAME, "bench-dag")
                .setAttribute(WORKFLOW_HASH, "3f6c0e1d9a4b27c58e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f")
                .setAttribute(QUEUE, "default")
                .setAttribute(ATTEMPT, 1L)
                .setAttribute(LEASE_EPOCH, 1L)
                .setAttribute(WORKER_ID, "worker-1")
                .startSpan();
        Context parent = Context.root().with(attempt);
        for (String node : NODES) {
            Span child = tracer.spanBuilder("node " + node)
                    .setParent(parent)
                    .setAttribute(EXECUTION_ID, id)
                    .setAttribute(NODE_ID, node)
                    .setAttribute(NODE_ACTION, "noop")
                    .setAttribute(NODE_TRY, 1L)
                    .startSpan();
            child.setAttribute(NODE_STATUS, "succeeded");
            child.end();
        }
        attempt.setAttribute(OUTCOME, "succeeded");
        attempt.end();
        return attempt;
    }
}
