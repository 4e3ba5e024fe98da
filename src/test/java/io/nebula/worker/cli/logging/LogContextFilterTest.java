package io.nebula.worker.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.nebula.worker.config.LogFilter;
import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.LogContext;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The execution's log fields through the worker's Logback setup: written to the MDC only when the
 * thread logs at an enabled level, present on every line inside their scope and on none after it,
 * and written at once again when a reconfiguration took the filter away.
 */
class LogContextFilterTest {
    private static final Logger log = LoggerFactory.getLogger("io.nebula.worker.logcontext");
    private static final ExecutionEvent EVENT_7 = new ExecutionEvent(7, "wf", "default", 2, 9);
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private CapturedLog captured;

    @BeforeEach
    void install() {
        captured = CapturedLog.open();
        LogSetup.install(context, LogFilter.parse("info"), "text");
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.nebula.worker.logcontext")).setLevel(Level.INFO);
    }

    @AfterEach
    void restore() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.nebula.worker.logcontext")).setLevel(null);
        LogSetup.install(context, LogFilter.parse("info"), "text");
        captured.close();
        MDC.clear();
    }

    /** The text line of the captured event whose message is {@code message}. */
    private String line(String message) {
        List<String> found = captured.lines().stream()
                .filter(l -> l.contains(" " + message) && !l.startsWith("{"))
                .toList();
        assertThat(found).as(message).hasSize(1);
        return found.get(0);
    }

    @Test
    void fieldsReachTheMdcOnlyWhenTheThreadLogsAndLeaveWithTheirScope() {
        assertThat(LogContext.lazy()).isTrue();
        try (LogContext.Scope execution = LogContext.execution(7, 2, 9)) {
            assertThat(MDC.get("execution_id")).isNull();
            log.debug("not enabled");
            assertThat(MDC.get("execution_id"))
                    .as("a disabled level writes nothing")
                    .isNull();

            log.info("first line");
            assertThat(line("first line")).contains("execution_id=7 attempt=2").contains("lease_epoch=9");
            try (LogContext.Scope node = LogContext.node(EVENT_7, "say")) {
                log.info("inside the node");
            }
            log.info("after the node");
        }
        log.info("after the execution");

        assertThat(line("inside the node")).contains("execution_id=7").contains("node_id=say");
        assertThat(line("after the node")).contains("execution_id=7").doesNotContain("node_id");
        assertThat(line("after the execution")).doesNotContain("execution_id").doesNotContain("lease_epoch");
        assertThat(MDC.getCopyOfContextMap()).doesNotContainKeys("execution_id", "attempt", "lease_epoch", "node_id");
    }

    @Test
    void aNodeScopeForCodeThatReadsTheMdcWritesItAtOnce() {
        try (LogContext.Scope execution = LogContext.execution(7, 2, 9)) {
            assertThat(MDC.get("execution_id")).isNull();
            try (LogContext.Scope node = LogContext.node(EVENT_7, "plugin", true)) {
                assertThat(MDC.get("execution_id")).isEqualTo("7");
                assertThat(MDC.get("lease_epoch")).isEqualTo("9");
                assertThat(MDC.get("node_id")).isEqualTo("plugin");
            }
            assertThat(MDC.get("node_id")).isNull();
            log.info("after the plugin");
        }
        assertThat(line("after the plugin")).contains("execution_id=7").doesNotContain("node_id");
        assertThat(MDC.getCopyOfContextMap()).doesNotContainKeys("execution_id", "attempt", "lease_epoch", "node_id");
        try (LogContext.Scope node = LogContext.node(EVENT_7, "alone", true)) {
            assertThat(MDC.get("node_id")).isEqualTo("alone");
            assertThat(MDC.get("attempt")).isEqualTo("2");
        }
        assertThat(MDC.getCopyOfContextMap()).doesNotContainKeys("execution_id", "attempt", "lease_epoch", "node_id");
    }

    @Test
    void aNodeOnAThreadOfItsOwnCarriesTheExecutionId() {
        try (LogContext.Scope node = LogContext.node(new ExecutionEvent(11, "wf", "default", 3, 4), "call")) {
            assertThat(MDC.get("node_id")).isNull();
            log.warn("node thread line");
        }
        assertThat(line("node thread line"))
                .contains("execution_id=11 attempt=3")
                .contains("lease_epoch=4")
                .contains("node_id=call");
        assertThat(MDC.get("execution_id")).isNull();
        assertThat(MDC.get("node_id")).isNull();
    }

    @Test
    void afterAReconfigurationWithoutTheFilterScopesWriteTheMdcAtOnce() {
        context.reset();
        assertThat(LogContext.lazy()).isFalse();
        try (LogContext.Scope execution = LogContext.execution(5, 1, 3)) {
            assertThat(MDC.get("execution_id")).isEqualTo("5");
            assertThat(MDC.get("lease_epoch")).isEqualTo("3");
            try (LogContext.Scope node = LogContext.node(new ExecutionEvent(5, "wf", "default", 1, 3), "n")) {
                assertThat(MDC.get("node_id")).isEqualTo("n");
            }
            assertThat(MDC.get("node_id")).isNull();
        }
        assertThat(MDC.get("execution_id")).isNull();

        LogSetup.install(context, LogFilter.parse("info"), "text");
        assertThat(LogContext.lazy()).isTrue();
    }
}
