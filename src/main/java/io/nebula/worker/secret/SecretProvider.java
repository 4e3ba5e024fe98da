package io.nebula.worker.secret;

import java.util.Optional;

/**
 * The extension point for secret stores (Vault, a cloud secret manager): one source of secret
 * values by name. The worker asks its providers in order (environment variables, the secrets
 * folder, then these) when a node that reads {@code secrets.NAME} is about to run; the first that
 * has the name answers.
 *
 * <p>Implementations are found through {@link java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/io.nebula.worker.secret.SecretProvider} inside a jar on the class path or in
 * {@code runtime.plugins_dir}. They need a public no-argument constructor, read their own settings
 * (environment variables, files), and must be thread-safe: one instance serves every node. Values
 * are kept for {@code secrets.cache_seconds} before the provider is asked again, so a rotated
 * secret is picked up without a restart.
 *
 * <p>A provider must never log or put a value in an exception message.
 */
public interface SecretProvider {
    /** A short name for messages, e.g. {@code vault}. */
    String name();

    /**
     * The value of the secret {@code name}, or empty when this provider has no such secret. Called
     * on a node's thread; may block (a network call), but briefly.
     *
     * @throws SecretException when the provider cannot answer now (its service is unreachable): the
     *     node fails and is retried like any transient failure
     */
    Optional<String> lookup(String name) throws SecretException;

    /**
     * Where this provider looks for {@code name}, for the message that says no provider has it:
     * {@code environment variable NEBULA_SECRET_TOKEN}, {@code file /run/secrets/TOKEN}.
     */
    default String where(String name) {
        return name() + " provider";
    }
}
