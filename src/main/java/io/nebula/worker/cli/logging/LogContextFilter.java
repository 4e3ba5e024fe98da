package io.nebula.worker.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.nebula.worker.observe.LogContext;
import org.slf4j.Marker;

/**
 * Runs before every Logback log call and writes the calling thread's pending {@link LogContext}
 * fields to the MDC when the call's level is enabled, so the event made next carries them. Decides
 * nothing itself. A reconfiguration of the context stops it, and {@link LogContext} is then eager
 * again.
 */
final class LogContextFilter extends TurboFilter {
    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // Logger.isEnabledFor would call the turbo filters again: compare the levels directly.
        if (level != null && logger != null && level.isGreaterOrEqual(logger.getEffectiveLevel())) {
            LogContext.materialize();
        }
        return FilterReply.NEUTRAL;
    }
}
