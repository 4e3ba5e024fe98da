package io.nebula.worker.secret;

import java.util.regex.Pattern;

/** What a secret name may be: what both an environment variable suffix and a file name can hold. */
public final class SecretNames {
    /** Letters, digits, {@code _ . -}; not starting with a dot or a dash; at most 128 characters. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    /** How messages describe {@link #NAME}. */
    public static final String ALLOWED = "letters, digits, _ . - (not starting with . or -), at most 128 characters";

    private SecretNames() {}

    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
