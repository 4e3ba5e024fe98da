package io.nebula.worker.secret;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Secrets from a folder of files, one per secret, named after it: the way Kubernetes mounts a
 * Secret ({@code /run/secrets/PAYMENT_TOKEN} holds the value of {@code secrets.PAYMENT_TOKEN}).
 * Files are read when asked (the resolver's cache bounds how often), so replacing a file rotates
 * the secret without a restart; symbolic links are followed, as Kubernetes' atomic updates need.
 * One trailing line break is dropped ({@code echo token > file} writes one); an empty file counts
 * as missing. Secret names never contain {@code /} or start with a dot ({@link SecretNames}), so
 * nothing outside the folder is read.
 */
public final class FileSecrets implements SecretProvider {
    /** The largest secret file read. */
    public static final int MAX_BYTES = 65_536;

    private final Path dir;

    public FileSecrets(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    @Override
    public String name() {
        return "files";
    }

    @Override
    public Optional<String> lookup(String name) throws SecretException {
        if (!SecretNames.valid(name)) {
            return Optional.empty();
        }
        Path file = dir.resolve(name);
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new SecretException("secret file " + file + " is " + size + " bytes, more than " + MAX_BYTES);
            }
            String v;
            try {
                v = StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new SecretException("secret file " + file + " is not UTF-8 text");
            }
            if (v.endsWith("\r\n")) {
                v = v.substring(0, v.length() - 2);
            } else if (v.endsWith("\n")) {
                v = v.substring(0, v.length() - 1);
            }
            return v.isEmpty() ? Optional.empty() : Optional.of(v);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SecretException(
                    "cannot read secret file " + file + ": " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public String where(String name) {
        return "file " + dir.resolve(name);
    }
}
