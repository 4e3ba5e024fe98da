package io.nebula.worker.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;

/**
 * Renders the console's templates ({@code src/main/jte}), compiled to classes at build time by
 * jte-maven-plugin: nothing is compiled at run time. The Html content type escapes every value by
 * the context it lands in (text, attribute), so stored strings cannot become markup.
 */
final class Html {
    private static final TemplateEngine ENGINE = engine();

    private Html() {}

    /**
     * The engine over the compiled templates. Without a class folder jte loads template classes
     * through the thread's context class loader, so this sets it to the one that holds them while
     * the engine is built: request threads (or an embedding application) may carry another.
     */
    private static TemplateEngine engine() {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(Html.class.getClassLoader());
        try {
            return TemplateEngine.createPrecompiled(
                    null, ContentType.Html, Html.class.getClassLoader(), "io.nebula.worker.console.templates");
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /** Renders {@code template} (e.g. {@code overview.jte}) with its one parameter. */
    static String render(String template, Object model) {
        StringOutput out = new StringOutput(8 * 1024);
        ENGINE.render(template, model, out);
        return out.toString();
    }
}
