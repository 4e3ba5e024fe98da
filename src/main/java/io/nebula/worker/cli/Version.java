package io.nebula.worker.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The program's version, for {@code --version}, the help header and the start log line. Read from
 * the jar manifest's {@code Implementation-Version}, or, when running from classes (tests, IDE),
 * from the {@code version.properties} resource that the build fills in.
 */
public final class Version implements IVersionProvider {

    /** The version, e.g. {@code 0.1.0}. */
    public static String current() {
        String fromManifest = Version.class.getPackage().getImplementationVersion();
        if (fromManifest != null) {
            return fromManifest;
        }
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"nebula-worker " + current()};
    }
}
