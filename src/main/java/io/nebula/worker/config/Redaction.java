package io.nebula.worker.config;

import java.util.regex.Pattern;

/** Removes credentials from text that may quote a connection URL (driver messages, errors). */
public final class Redaction {
    private static final Pattern USERINFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)([^/@\\s:]*):([^/@\\s]*)@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password|passwd|pwd|sslpassword)=([^&\\s;]*)");

    private Redaction() {}

    /**
     * {@code text} with the password of any {@code scheme://user:password@} and the value of any
     * {@code password=}-like parameter replaced by {@code ***}; {@code null} stays {@code null}.
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String s = USERINFO.matcher(text).replaceAll("$1$2:***@");
        return PASSWORD_PARAM.matcher(s).replaceAll("$1=***");
    }
}
