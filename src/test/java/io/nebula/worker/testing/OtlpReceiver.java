package io.nebula.worker.testing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An OTLP/HTTP trace receiver for tests: accepts {@code POST /v1/traces} in protobuf, decodes each
 * request with {@code opentelemetry-proto} and keeps the spans it carried.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One received span, its ids in lowercase hex (parent empty for a root). */
    public record ReceivedSpan(
            String name,
            String kind,
            String traceId,
            String spanId,
            String parentSpanId,
            Map<String, Object> attributes,
            Map<String, Object> resource,
            boolean error,
            String statusMessage,
            List<ReceivedLink> links,
            List<ReceivedEvent> events) {
        public Object attr(String key) {
            return attributes.get(key);
        }
    }

    /** A span's link to another span, its ids in lowercase hex. */
    public record ReceivedLink(String traceId, String spanId, Map<String, Object> attributes) {}

    /** An event recorded on a span. */
    public record ReceivedEvent(String name, Map<String, Object> attributes) {}

    private static final HexFormat HEX = HexFormat.of();
    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<Integer> requestSpans = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/traces", exchange -> {
            try (exchange;
                    InputStream in = exchange.getRequestBody()) {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                requestSpans.add(request.getResourceSpansList().stream()
                        .flatMap(rs -> rs.getScopeSpansList().stream())
                        .mapToInt(ScopeSpans::getSpansCount)
                        .sum());
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    Map<String, Object> resource = map(rs.getResource().getAttributesList());
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
                            spans.add(new ReceivedSpan(
                                    s.getName(),
                                    s.getKind().name(),
                                    HEX.formatHex(s.getTraceId().toByteArray()),
                                    HEX.formatHex(s.getSpanId().toByteArray()),
                                    HEX.formatHex(s.getParentSpanId().toByteArray()),
                                    map(s.getAttributesList()),
                                    resource,
                                    s.getStatus().getCode()
                                            == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR,
                                    s.getStatus().getMessage(),
                                    s.getLinksList().stream()
                                            .map(l -> new ReceivedLink(
                                                    HEX.formatHex(l.getTraceId().toByteArray()),
                                                    HEX.formatHex(l.getSpanId().toByteArray()),
                                                    map(l.getAttributesList())))
                                            .toList(),
                                    s.getEventsList().stream()
                                            .map(ev -> new ReceivedEvent(ev.getName(), map(ev.getAttributesList())))
                                            .toList()));
                        }
                    }
                }
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        });
        server.start();
    }

    private static Map<String, Object> map(List<KeyValue> kvs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (KeyValue kv : kvs) {
            AnyValue v = kv.getValue();
            out.put(
                    kv.getKey(),
                    switch (v.getValueCase()) {
                        case STRING_VALUE -> v.getStringValue();
                        case INT_VALUE -> v.getIntValue();
                        case BOOL_VALUE -> v.getBoolValue();
                        case DOUBLE_VALUE -> v.getDoubleValue();
                        case ARRAY_VALUE ->
                            v.getArrayValue().getValuesList().stream()
                                    .map(AnyValue::getStringValue)
                                    .toList();
                        default -> v.toString();
                    });
        }
        return out;
    }

    /** The base URL to configure as the OTLP endpoint. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many spans each export request carried, in the order they arrived. */
    public List<Integer> requestSpans() {
        return new ArrayList<>(requestSpans);
    }

    public List<ReceivedSpan> spans() {
        return new ArrayList<>(spans);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
