package io.nebula.worker.jmh;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the JMH microbenchmarks from Maven:
 *
 * <pre>
 * ./mvnw -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.nebula.worker.jmh.JmhMain -Dexec.args="SchedulerBench"
 * </pre>
 *
 * <p>{@code exec:java} runs in Maven's JVM with the test class path in a class loader, not in
 * {@code java.class.path}, so JMH's forked benchmark JVMs would find none of the classes. This sets
 * {@code java.class.path} from that class loader and then hands the arguments to JMH's own main
 * ({@code -h} lists its options). Forks also get the flags the worker runs with.
 */
public final class JmhMain {
    private JmhMain() {}

    public static void main(String[] args) throws Exception {
        List<String> entries = new ArrayList<>();
        for (ClassLoader l = Thread.currentThread().getContextClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    entries.add(path(url));
                }
            }
        }
        if (!entries.isEmpty()) {
            System.setProperty("java.class.path", String.join(File.pathSeparator, entries));
        }
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("-jvmArgsAppend")) {
            all.add("-jvmArgsAppend");
            all.add(
                    Runtime.version().feature() >= 24
                            ? "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
                            : "--enable-native-access=ALL-UNNAMED");
        }
        org.openjdk.jmh.Main.main(all.toArray(String[]::new));
    }

    private static String path(URL url) {
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException e) {
            return url.getPath();
        }
    }
}
