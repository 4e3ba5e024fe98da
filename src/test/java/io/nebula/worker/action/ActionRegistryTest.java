package io.nebula.worker.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.action.builtin.NoopAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
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

    @Test
    void jarsInThePluginsFolderAreLoadedThroughServiceLoader(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/demo/Shout.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package demo;
                public final class Shout implements io.nebula.worker.action.Action {
                    public String name() { return "demo.shout"; }
                    public tools.jackson.databind.JsonNode execute(
                            tools.jackson.databind.JsonNode p, io.nebula.worker.action.ActionContext c) {
                        return tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(
                                p.get("text").asString().toUpperCase());
                    }
                }
                """);
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
        try (var jar = new JarOutputStream(Files.newOutputStream(plugins.resolve("shout.jar")))) {
            jar.putNextEntry(new JarEntry("demo/Shout.class"));
            jar.write(Files.readAllBytes(classes.resolve("demo/Shout.class")));
            jar.putNextEntry(new JarEntry("META-INF/services/io.nebula.worker.action.Action"));
            jar.write("demo.Shout\n".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }

        var registry = ActionRegistry.builder().loadPlugins(plugins).build();

        assertThat(registry.names()).containsExactly("demo.shout");
        JsonNode out =
                ActionTestHarness.of(registry.find("demo.shout").orElseThrow()).run("{\"text\": \"hey\"}");
        assertThat(out.asString()).isEqualTo("HEY");
    }

    @Test
    void aMissingPluginsFolderIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> ActionRegistry.builder().loadPlugins(dir.resolve("nope")))
                .hasMessageStartingWith("plugins folder does not exist: ");
    }
}
