package io.nebula.worker.secret;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Secrets from environment variables: {@code secrets.NAME} is the variable {@code <prefix>NAME}
 * ({@code NEBULA_SECRET_NAME} with the default prefix). Only variables with the prefix are ever
 * read, so a workflow cannot read {@code DATABASE_URL} or any other setting of the worker. An
 * empty variable counts as not set.
 */
public final class EnvSecrets implements SecretProvider {
    private final String prefix;
    private final Function<String, String> env;

    /**
     * @param prefix what every variable read starts with; never empty
     * @param env how a variable is read ({@code System::getenv}, or a map in tests)
     */
    public EnvSecrets(String prefix, Function<String, String> env) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("the environment prefix of secrets must not be empty");
        }
        this.prefix = prefix;
        this.env = Objects.requireNonNull(env, "env");
    }

    @Override
    public String name() {
        return "env";
    }

    @Override
    public Optional<String> lookup(String name) {
        String v = env.apply(prefix + name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    @Override
    public String where(String name) {
        return "environment variable " + prefix + name;
    }
}
