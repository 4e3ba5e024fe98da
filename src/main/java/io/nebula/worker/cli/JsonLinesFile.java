package io.nebula.worker.cli;

import io.nebula.worker.queue.SubmitRejectedException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a JSON Lines file one line at a time, in constant memory, as strict UTF-8. Each line is
 * decoded on its own, so an invalid byte is reported with its line number and its byte offset in
 * the file. Blank lines are skipped (but counted), a trailing {@code \r} is dropped, and a UTF-8
 * byte order mark at the start is ignored.
 */
final class JsonLinesFile implements AutoCloseable {
    /**
     * One non-blank line.
     *
     * @param number 1-based line number
     * @param offset byte offset of the line's first byte in the file
     */
    record Line(int number, long offset, String text) {}

    private final Path file;
    private final InputStream in;
    private final long maxLineBytes;
    private int number;
    private long offset;
    private boolean oversized;

    /** Reads {@code file}; a line longer than {@code maxLineBytes} is skipped unread and reported. */
    JsonLinesFile(Path file, long maxLineBytes) throws IOException {
        this.file = file;
        this.maxLineBytes = maxLineBytes;
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    /**
     * The next non-blank line, or {@code null} at the end.
     *
     * @throws SubmitRejectedException when the line is not valid UTF-8
     */
    Line next() throws IOException {
        while (true) {
            long start = offset;
            byte[] bytes = readLine();
            if (bytes == null) {
                return null;
            }
            number++;
            if (oversized) {
                throw new SubmitRejectedException(file.getFileName() + " line " + number + ": input is larger than "
                        + maxLineBytes + " bytes (queue.max_input_bytes)");
            }
            int from = 0;
            if (number == 1
                    && bytes.length >= 3
                    && (bytes[0] & 0xff) == 0xef
                    && (bytes[1] & 0xff) == 0xbb
                    && (bytes[2] & 0xff) == 0xbf) {
                from = 3;
            }
            int to = bytes.length;
            if (to > from && bytes[to - 1] == '\r') {
                to--;
            }
            String text = decode(bytes, from, to, start);
            if (!text.isBlank()) {
                return new Line(number, start, text);
            }
        }
    }

    /** Strict UTF-8; an invalid byte is named by its offset in the file and its line and column. */
    private String decode(byte[] bytes, int from, int to, long lineStart) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int bad = in.position();
            throw new SubmitRejectedException(file.getFileName() + " line " + number + ": not valid UTF-8 (invalid byte"
                    + " at offset " + (lineStart + bad) + " of the file, byte " + (bad - from + 1) + " of the line)");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /**
     * The next line's bytes without its newline. Past the limit (plus room for a byte order mark and
     * a carriage return) bytes are counted, not kept, and the line is marked oversized: a 100 MB
     * line costs a pass over it, never 100 MB of memory.
     */
    private byte[] readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(256);
        long keep = maxLineBytes + 4;
        long length = 0;
        int c;
        boolean any = false;
        oversized = false;
        while ((c = in.read()) != -1) {
            offset++;
            any = true;
            if (c == '\n') {
                break;
            }
            if (++length <= keep) {
                b.write(c);
            } else {
                oversized = true;
            }
        }
        if (!any) {
            return null;
        }
        byte[] bytes = b.toByteArray();
        if (!oversized) {
            int content = bytes.length;
            if (content > 0 && bytes[content - 1] == '\r') {
                content--;
            }
            if (number == 0 && content >= 3 && (bytes[0] & 0xff) == 0xef) {
                content -= 3;
            }
            oversized = content > maxLineBytes;
        }
        return oversized ? new byte[0] : bytes;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
