package io.nebula.worker.cli;

import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.SubmitRejectedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A JSON value given on the command line as text, or as {@code @FILE} to read it from a file
 * ({@code @-} reads stdin), decoded as strict UTF-8 and checked to be JSON. Blank means {@code {}}.
 */
final class JsonArgument {
    private JsonArgument() {}

    /**
     * @param what the flag, for messages ({@code --data})
     * @param noun what the value is, for messages ({@code signal data})
     * @throws CommandFailure (exit 4) when the file cannot be read or the text is not JSON
     */
    static String read(String arg, String what, String noun, long maxBytes, long maxValues) {
        String text;
        if (arg == null) {
            return "{}";
        }
        if (!arg.startsWith("@")) {
            text = arg;
        } else {
            String name = arg.substring(1);
            try {
                byte[] bytes = name.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(name));
                text = InputGuard.decodeUtf8(bytes, what + " file " + name);
            } catch (SubmitRejectedException e) {
                throw new CommandFailure(ExitCode.INVALID, e.getMessage());
            } catch (IOException e) {
                String why = e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
                throw new CommandFailure(ExitCode.INVALID, "cannot read " + what + " file " + name + ": " + why);
            }
        }
        if (text.isBlank()) {
            return "{}";
        }
        try {
            InputGuard.check(text, maxBytes, maxValues, what, noun);
        } catch (SubmitRejectedException e) {
            throw new CommandFailure(ExitCode.INVALID, e.getMessage());
        }
        return text;
    }
}
