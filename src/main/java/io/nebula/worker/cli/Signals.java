package io.nebula.worker.cli;

import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT handling. A JVM shutdown hook runs only once and cannot see a second signal,
 * so the process installs handlers instead: the first signal starts the graceful stop, a second
 * shortens it. Uses {@code sun.misc.Signal} (module jdk.unsupported), the JDK's only signal API.
 */
final class Signals {
    private Signals() {}

    @SuppressWarnings("removal")
    static void onTermination(Runnable handler) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> handler.run());
            } catch (IllegalArgumentException e) {
                LoggerFactory.getLogger(Signals.class).warn("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }
}
