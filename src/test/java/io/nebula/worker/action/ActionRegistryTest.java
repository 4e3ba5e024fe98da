package io.nebula.worker.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.action.builtin.NoopAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class ActionRegistryTest {

    @Test
    void duplicateNamesAreAnErrorNamingBothClasses() {
        var builder = ActionRegistry.builder().register(new NoopAction());

        assertThatThrownBy(() -> builder.register(new Action() {
                    @Override
                    public String name() {
                        return "noop";
                    }

                    @Override
                    public JsonNode execute(JsonNode params, ActionContext ctx) {
                        return params;
                    }
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "duplicate action name 'noop': io.nebula.worker.action.builtin.NoopAction and ");
    }

    @Test
    void actionsRegisteredInCodeAreFound() {
        var registry = ActionRegistry.builder().register(new NoopAction()).build();

        assertThat(registry.find("noop")).isPresent();
        assertThat(registry.find("nope")).isEmpty();
        assertThat(registry.names()).containsExactly("noop");
    }

    /**
     * Compiles a plugin whose action {@code demo.shout} upper-cases its text, and whose class, when
     * initialised, sets the system property {@code marker}; writes it as {@code shout.jar} in a
     * plugins folder, declaring its actions in the manifest when {@code declare} is set.
     */
    private static Path pluginFolder(Path dir, String marker, boolean declare) throws Exception {
        Path src = dir.resolve("src/demo/Shout.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package demo;
                public final class Shout implements io.nebula.worker.action.Action {
                    static { System.setProperty("%s", "ran"); }
                    public String name() { return "demo.shout"; }
                    public tools.jackson.databind.JsonNode execute(
                            tools.jackson.databind.JsonNode p, io.nebula.worker.action.ActionContext c) {
                        return tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(
                                p.get("text").asString().toUpperCase());
                    }
                }
                """.formatted(marker));
        Path classes = dir.resolve("classes");
        int rc = ToolProvider.getSystemJavaCompiler()
                .run(
                        null,
                        null,
                        null,
                        "-d",
                        classes.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        src.toString());
        assertThat(rc).isZero();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (declare) {
            manifest.getMainAttributes().putValue("Nebula-Actions", "demo.shout");
        }
        try (var jar = new JarOutputStream(Files.newOutputStream(plugins.resolve("shout.jar")), manifest)) {
            jar.putNextEntry(new JarEntry("demo/Shout.class"));
            jar.write(Files.readAllBytes(classes.resolve("demo/Shout.class")));
            jar.putNextEntry(new JarEntry("META-INF/services/io.nebula.worker.action.Action"));
            jar.write("demo.Shout\n".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return plugins;
    }

    @Test
    void jarsInThePluginsFolderAreLoadedThroughServiceLoader(@TempDir Path dir) throws Exception {
        Path plugins = pluginFolder(dir, "nebula.test.loaded", false);

        var registry = ActionRegistry.builder().loadPlugins(plugins).build();

        assertThat(registry.names()).containsExactly("demo.shout");
        JsonNode out =
                ActionTestHarness.of(registry.find("demo.shout").orElseThrow()).run("{\"text\": \"hey\"}");
        assertThat(out.asString()).isEqualTo("HEY");
    }

    @Test
    void aJarWhoseManifestDoesNotNameItsActionsIsLoadedWithAWarning(@TempDir Path dir) throws Exception {
        Path undeclared = pluginFolder(dir.resolve("a"), "nebula.test.manifest-missing", false);
        Path declared = pluginFolder(dir.resolve("b"), "nebula.test.manifest-matching", true);

        List<String> warned;
        List<String> quiet;
        try (var log = io.nebula.worker.cli.logging.CapturedLog.open()) {
            ActionRegistry.builder().loadPlugins(undeclared).build();
            warned = log.lines();
        }
        try (var log = io.nebula.worker.cli.logging.CapturedLog.open()) {
            ActionRegistry.builder().loadPlugins(declared).build();
            quiet = log.lines();
        }

        assertThat(warned)
                .anySatisfy(l -> assertThat(l)
                        .contains("declares actions [] in its manifest (Nebula-Actions) but provides [demo.shout]"));
        assertThat(quiet).noneSatisfy(l -> assertThat(l).contains("in its manifest"));
    }

    @Test
    void aPluginOthersCouldReplaceIsRefused(@TempDir Path dir) throws Exception {
        Path plugins = pluginFolder(dir, "nebula.test.refused", false);
        Path jar = plugins.resolve("shout.jar");

        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-rw-r--"));
        assertThatThrownBy(() -> ActionRegistry.builder().loadPlugins(plugins))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("plugin " + jar + " is writable by other users (rw-rw-r--); a plugin runs with the worker's"
                        + " rights: chmod go-w " + jar.toRealPath());
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> ActionRegistry.builder().loadPlugins(plugins))
                .hasMessageContaining("is writable by other users (rwxrwxrwx)");
        assertThat(System.getProperty("nebula.test.refused"))
                .as("no plugin code ran")
                .isNull();
    }

    @Test
    void checkingDefinitionsReadsDeclaredNamesAndRunsNoPluginCode(@TempDir Path dir) throws Exception {
        Path declared = pluginFolder(dir.resolve("a"), "nebula.test.declared", true);
        Path silent = pluginFolder(dir.resolve("b"), "nebula.test.silent", false);

        var withNames = ActionRegistry.builder().declarePlugins(declared).build();
        var without = ActionRegistry.builder().declarePlugins(silent).build();

        assertThat(withNames.names()).containsExactly("demo.shout");
        assertThat(withNames.find("demo.shout").orElseThrow().validate(null)).isEmpty();
        assertThat(withNames.unknownActionHint()).isEmpty();
        assertThat(without.names()).isEmpty();
        assertThat(without.unknownActionHint().orElseThrow())
                .contains("lists them")
                .contains("Nebula-Actions");
        assertThat(System.getProperty("nebula.test.declared"))
                .as("no plugin code ran")
                .isNull();
        assertThat(System.getProperty("nebula.test.silent")).isNull();
    }

    @Test
    void aMissingPluginsFolderIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> ActionRegistry.builder().loadPlugins(dir.resolve("nope")))
                .hasMessageStartingWith("plugins folder does not exist: ");
    }
}
