package io.nebula.worker.secret;

import java.util.Optional;

/**
 * A secret provider found by {@link java.util.ServiceLoader} on the test class path, as a plugin's
 * would be: it has one secret, {@link #NAME}, and fails to answer for {@link #BROKEN}.
 */
public final class PluginSecrets implements SecretProvider {
    public static final String NAME = "PLUGIN_PROVIDED";
    public static final String VALUE = "from-the-plugin-provider";
    public static final String BROKEN = "PLUGIN_BROKEN";

    @Override
    public String name() {
        return "test-plugin";
    }

    @Override
    public Optional<String> lookup(String name) throws SecretException {
        if (name.equals(BROKEN)) {
            throw new SecretException("the test store is unreachable");
        }
        return name.equals(NAME) ? Optional.of(VALUE) : Optional.empty();
    }

    @Override
    public String where(String name) {
        return "test store entry " + name;
    }
}
