package io.nebula.worker.action;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which plugin jars the worker trusts: on real files, links and folders. */
class PluginJarsTest {
    @TempDir
    Path tmp;

    private Path folder(String name, String perms) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(perms));
        return d;
    }

    private static Path jar(Path folder, String name) throws Exception {
        Path j = Files.writeString(folder.resolve(name), "not really a jar");
        Files.setPosixFilePermissions(j, PosixFilePermissions.fromString("rw-r--r--"));
        return j;
    }

    @Test
    void aJarInAFolderOnlyItsOwnerWritesIsTrusted() throws Exception {
        Path plugins = folder("plugins", "rwxr-xr-x");
        assertThatCode(() -> PluginJars.checkTrusted(jar(plugins, "a.jar"))).doesNotThrowAnyException();
    }

    @Test
    void aLinkToAJarInAFolderOthersCanWriteIsRefused() throws Exception {
        Path plugins = folder("plugins", "rwxr-xr-x");
        Path open = folder("open", "rwxrwxrwx");
        Path target = jar(open, "x.jar");
        Path link = Files.createSymbolicLink(plugins.resolve("y.jar"), target);

        assertThatThrownBy(() -> PluginJars.checkTrusted(link))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is in folder " + open.toRealPath())
                .hasMessageContaining("which other users can write")
                .hasMessageContaining("chmod go-w");
    }

    @Test
    void aFolderOthersCanWriteWithTheStickyBitKeepsThemToTheirOwnFiles() throws Exception {
        Path shared = folder("shared", "rwxrwxrwx");
        Path target = jar(shared, "x.jar");
        Files.setAttribute(shared, "unix:mode", 01777);

        assertThatCode(() -> PluginJars.checkTrusted(target)).doesNotThrowAnyException();
    }
}
