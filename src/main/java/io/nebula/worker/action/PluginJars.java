package io.nebula.worker.action;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The jars of a plugins folder, as files: which ones there are, whether they may be trusted with
 * the worker's rights, their digests, and the action names a jar declares in its manifest without
 * any of its code being run.
 *
 * <p>Trusted means what SSH asks of its keys: on a POSIX file system, the folder and every jar
 * (symbolic links followed) belong to the user the worker runs as or to root, and neither group
 * nor others may write them; anyone who can replace a jar can run code as the worker.
 */
final class PluginJars {
    /** The manifest attribute listing the action names a plugin jar provides. */
    static final String DECLARED = "Nebula-Actions";

    private PluginJars() {}

    /** The {@code *.jar} files directly in {@code dir}, sorted. */
    static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("plugins folder does not exist: " + dir);
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list plugins folder " + dir, e);
        }
    }

    /**
     * @throws IllegalArgumentException naming the file and what to change when it (or the file a
     *     link points to) is writable by others or owned by another user
     */
    static void checkTrusted(Path p) {
        try {
            Path real = p.toRealPath();
            if (!Files.getFileStore(real).supportsFileAttributeView("posix")) {
                return;
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(real, LinkOption.NOFOLLOW_LINKS);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalArgumentException("plugin " + describe(p, real) + " is writable by other users ("
                        + PosixFilePermissions.toString(perms)
                        + "); a plugin runs with the worker's rights: chmod go-w "
                        + real);
            }
            String owner = Files.getOwner(real, LinkOption.NOFOLLOW_LINKS).getName();
            String me = System.getProperty("user.name");
            if (!owner.equals(me) && !owner.equals("root")) {
                throw new IllegalArgumentException("plugin " + describe(p, real) + " belongs to '" + owner
                        + "', not to '" + me + "' or root; a plugin runs with the worker's rights");
            }
            Path folder = real.getParent();
            if (Files.isRegularFile(real) && folder != null && othersMayReplaceIn(folder)) {
                // Whoever may write the folder a jar really lives in may put another jar in its place.
                throw new IllegalArgumentException("plugin " + describe(p, real) + " is in folder " + folder
                        + ", which other users can write (they could replace the jar); a plugin runs with the"
                        + " worker's rights: chmod go-w " + folder);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check plugin " + p, e);
        }
    }

    /** Whether others may write {@code folder} without the sticky bit (which keeps them to their own files). */
    private static boolean othersMayReplaceIn(Path folder) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(folder);
        if (!perms.contains(PosixFilePermission.GROUP_WRITE) && !perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            return false;
        }
        try {
            int mode = (Integer) Files.getAttribute(folder, "unix:mode");
            return (mode & 01000) == 0;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return true;
        }
    }

    private static String describe(Path p, Path real) {
        return real.equals(p.toAbsolutePath()) ? p.toString() : p + " (" + real + ")";
    }

    /** The SHA-256 of a file, in hex, for the log line that records what was loaded. */
    static String sha256(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read plugin " + p, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The action names the jar's manifest declares ({@value #DECLARED}: names separated by commas
     * or spaces), read as data; empty when it declares none.
     */
    static List<String> declaredActions(Path jar) {
        try (JarFile f = new JarFile(jar.toFile(), false)) {
            var manifest = f.getManifest();
            String names =
                    manifest == null ? null : manifest.getMainAttributes().getValue(new Attributes.Name(DECLARED));
            if (names == null || names.isBlank()) {
                return List.of();
            }
            return Arrays.stream(names.split("[,\\s]+"))
                    .filter(n -> !n.isBlank())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read plugin " + jar, e);
        }
    }
}
