package io.nebula.worker.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.nebula.worker.config.LogFilter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class LogLayoutTest {
    private final LoggerContext context = new LoggerContext();

    private LoggingEvent event(String logger, String message, Throwable error) {
        return event(logger, message, error, Map.of());
    }

    private LoggingEvent event(String logger, String message, Throwable error, Map<String, String> moreMdc) {
        Logger l = context.getLogger(logger);
        LoggingEvent e = new LoggingEvent(Logger.class.getName(), l, Level.INFO, message, error, null);
        e.setInstant(Instant.parse("2026-11-27T10:00:00.123456Z"));
        e.setThreadName("claim-1");
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put("zeta", "last");
        mdc.put("attempt", "2");
        mdc.put("worker_id", "host-1");
        mdc.put("execution_id", "e-9");
        mdc.putAll(moreMdc);
        e.setMDCPropertyMap(mdc);
        e.addKeyValuePair(new KeyValuePair("n", 5));
        return e;
    }

    @Test
    void textLineHasTimeLevelShortLoggerMessageAndFieldsInAStableOrder() {
        String line = new TextLayout().doLayout(event("io.nebula.worker.queue.ClaimLoop", "claimed", null));

        assertThat(line)
                .isEqualTo("2026-11-27T10:00:00.123Z INFO  queue.ClaimLoop claimed n=5 worker_id=host-1"
                        + " execution_id=e-9 attempt=2 zeta=last\n");
    }

    @Test
    void traceIdsFollowTheExecutionsFieldsInTextAndJson() {
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put("span_id", "00f067aa0ba902b7");
        mdc.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        mdc.put("node_id", "call");
        LoggingEvent e = event("io.nebula.worker.action.http.request", "calling", null, mdc);

        assertThat(new TextLayout().doLayout(e))
                .isEqualTo("2026-11-27T10:00:00.123Z INFO  action.http.request calling n=5 worker_id=host-1"
                        + " execution_id=e-9 attempt=2 node_id=call trace_id=4bf92f3577b34da6a3ce929d0e0e4736"
                        + " span_id=00f067aa0ba902b7 zeta=last\n");
        JsonNode json = JsonMapper.builder().build().readTree(new JsonLayout().doLayout(e));
        assertThat(json.get("trace_id").asString()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(json.get("span_id").asString()).isEqualTo("00f067aa0ba902b7");
    }

    @Test
    void aFieldTheEventCarriesIsNotRepeatedFromTheMdc() {
        LoggingEvent e = event("io.nebula.worker.trace", "execution started", null);
        e.addKeyValuePair(new KeyValuePair("execution_id", 7));
        e.addKeyValuePair(new KeyValuePair("attempt", 1));

        String line = new TextLayout().doLayout(e);

        assertThat(line)
                .isEqualTo("2026-11-27T10:00:00.123Z INFO  trace execution started n=5 execution_id=7 attempt=1"
                        + " worker_id=host-1 zeta=last\n");
        assertThat(new JsonLayout().doLayout(e)).containsOnlyOnce("\"execution_id\"");
    }

    @Test
    void aFieldWrittenIntoTheMessageIsNotRepeatedFromTheMdc() {
        String line = new TextLayout()
                .doLayout(event("io.nebula.worker.runtime.NodeTask", "node try failed execution_id=e-9 try=1", null));

        assertThat(line).containsOnlyOnce("execution_id=").contains("worker_id=host-1", "attempt=2");
        assertThat(EventFields.inMessage("retry my_attempt=3", "attempt")).isFalse();
        assertThat(EventFields.inMessage("attempt=3 ok", "attempt")).isTrue();
    }

    @Test
    void textQuotesValuesThatWouldBreakKeyValueParsing() {
        assertThat(TextLayout.quoteIfNeeded("a b")).isEqualTo("\"a b\"");
        assertThat(TextLayout.quoteIfNeeded("x=\"y\"")).isEqualTo("\"x=\\\"y\\\"\"");
        assertThat(TextLayout.quoteIfNeeded("")).isEqualTo("\"\"");
        assertThat(TextLayout.quoteIfNeeded("plain-value")).isEqualTo("plain-value");
    }

    @Test
    void textFromAWorkflowCannotForgeALogLine() {
        String forged = "hello\n2026-11-27T10:00:01.000Z ERROR pool.Worker worker compromised\r\u001b[2Jdone";
        LoggingEvent e = event("io.nebula.worker.action.log", forged, new IllegalStateException(forged));
        e.addKeyValuePair(new KeyValuePair("detail", "a\u0085b\u2028c\u001bd"));

        String out = new TextLayout().doLayout(e);

        String first = out.lines().findFirst().orElseThrow();
        assertThat(first)
                .startsWith("2026-11-27T10:00:00.123Z INFO  action.log hello\\n2026-11-27T10:00:01.000Z"
                        + " ERROR pool.Worker worker compromised\\r\\u001b[2Jdone")
                .contains("detail=\"a\\u0085b\\u2028c\\u001bd\"");
        assertThat(out.lines().skip(1)).allSatisfy(l -> assertThat(l).startsWith("\t"));
        assertThat(out).doesNotContain("\u001b").doesNotContain("\r");
    }

    @Test
    void jsonLineIsOneObjectWithTypedFields() throws Exception {
        String line = new JsonLayout().doLayout(event("com.zaxxer.hikari.HikariPool", "pool ready", null));

        assertThat(line).endsWith("}\n").doesNotContain("\n{");
        JsonNode json = JsonMapper.builder().build().readTree(line);
        assertThat(json.get("ts").stringValue()).isEqualTo("2026-11-27T10:00:00.123456Z");
        assertThat(json.get("level").stringValue()).isEqualTo("INFO");
        assertThat(json.get("logger").stringValue()).isEqualTo("com.zaxxer.hikari.HikariPool");
        assertThat(json.get("msg").stringValue()).isEqualTo("pool ready");
        assertThat(json.get("n").intValue()).isEqualTo(5);
        assertThat(json.get("worker_id").stringValue()).isEqualTo("host-1");
        assertThat(json.get("execution_id").stringValue()).isEqualTo("e-9");
        assertThat(json.get("attempt").isIntegralNumber()).isTrue();
        assertThat(json.get("attempt").intValue()).isEqualTo(2);
    }

    @Test
    void aNodesErrorFieldKeepsItsNameBesideTheStackTrace() throws Exception {
        LoggingEvent e = event("io.nebula.worker.runtime.NodeTask", "node failed", new IllegalStateException("boom"));
        e.addKeyValuePair(new KeyValuePair("error", "upstream is warming up"));

        JsonNode json = JsonMapper.builder().build().readTree(new JsonLayout().doLayout(e));

        assertThat(json.get("error").stringValue()).isEqualTo("upstream is warming up");
        assertThat(json.get("stack_trace").stringValue()).contains("IllegalStateException: boom");
        assertThat(json.has("error_")).isFalse();
    }

    @Test
    void passwordsAreRedactedFromMessagesFieldsAndStackTraces() {
        LoggingEvent e = event(
                "io.nebula.worker.queue.jdbc.Database",
                "connect to postgres://app:hunter2@db/nebula failed",
                new IllegalStateException("url jdbc:postgresql://db/x?password=hunter2"));
        e.addKeyValuePair(new KeyValuePair("url", "postgres://app:hunter2@db/nebula"));

        assertThat(new TextLayout().doLayout(e)).doesNotContain("hunter2").contains("app:***@db");
        assertThat(new JsonLayout().doLayout(e)).doesNotContain("hunter2").contains("\"stack_trace\"");
    }

    @Test
    void filterDirectivesBecomeLogbackLevelsWithWarnForEverythingElse() {
        LogSetup.install(context, LogFilter.parse("nebula_worker=debug,nebula_worker::queue=trace"), "json");

        assertThat(context.getLogger("io.nebula.worker.runtime.X").getEffectiveLevel())
                .isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("io.nebula.worker.queue.Y").getEffectiveLevel())
                .isEqualTo(Level.TRACE);
        assertThat(context.getLogger("org.postgresql.Driver").getEffectiveLevel())
                .isEqualTo(Level.WARN);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogSetup.APPENDER))
                .isNotNull();
    }

    @Test
    void theHttpClientsWireAndHeaderLogsStayQuietUnlessNamed() {
        LogSetup.install(context, LogFilter.parse("debug"), "text");

        assertThat(context.getLogger("org.apache.hc.client5.http.wire").getEffectiveLevel())
                .isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.apache.hc.client5.http.headers").getEffectiveLevel())
                .isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.apache.hc.client5.http.impl.classic.X")
                        .getEffectiveLevel())
                .isEqualTo(Level.DEBUG);

        LogSetup.install(context, LogFilter.parse("org.apache.hc.client5.http.wire=debug"), "text");

        assertThat(context.getLogger("org.apache.hc.client5.http.wire").getEffectiveLevel())
                .isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("org.apache.hc.client5.http.headers").getEffectiveLevel())
                .isEqualTo(Level.WARN);
    }

    @Test
    void theConnectionPoolsBrokenConnectionStackTracesStayQuietUnlessNamed() {
        LogSetup.install(context, LogFilter.parse("info"), "text");
        assertThat(context.getLogger("com.zaxxer.hikari.pool.ProxyConnection").getEffectiveLevel())
                .isEqualTo(Level.ERROR);
        assertThat(context.getLogger("com.zaxxer.hikari.pool.HikariPool").getEffectiveLevel())
                .isEqualTo(Level.INFO);

        LogSetup.install(context, LogFilter.parse("info,com.zaxxer.hikari=debug"), "text");
        assertThat(context.getLogger("com.zaxxer.hikari.pool.ProxyConnection").getEffectiveLevel())
                .isEqualTo(Level.ERROR);
        LogSetup.install(context, LogFilter.parse("com.zaxxer.hikari.pool.ProxyConnection=warn"), "text");
        assertThat(context.getLogger("com.zaxxer.hikari.pool.ProxyConnection").getEffectiveLevel())
                .isEqualTo(Level.WARN);
    }

    @Test
    void reinstallingReplacesEarlierLevels() {
        LogSetup.install(context, LogFilter.parse("nebula_worker=trace"), "text");
        LogSetup.install(context, LogFilter.parse("nebula_worker=info"), "text");

        assertThat(context.getLogger("io.nebula.worker.A").getEffectiveLevel()).isEqualTo(Level.INFO);
    }
}
