package io.nebula.worker.redact;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides what of a sensitive value may be shown: every text that leaves the
 * worker (log lines, stored errors, command output, health answers) passes through here.
 *
 * <ul>
 *   <li>{@link #redact(String)} scrubs free text: the password of {@code scheme://user:password@},
 *       the whole user info of an {@code http(s)://} URL, every query value of an {@code http(s)}
 *       URL, and {@code password=}-like parameters.
 *   <li>{@link #url(URI)} is how a message names an HTTP destination: scheme, host, port and path,
 *       query names without their values, no user info, no fragment.
 *   <li>{@link #HIDDEN} stands for a header value or a body: messages name the header, never its
 *       value; they give a body's size and type, never its content ({@link #body}).
 *   <li>{@link Secrets} masks values known to be secret wherever they appear (the values a request
 *       carried in headers and URLs, secrets resolved for an execution).
 *   <li>{@link #rememberSecret} adds a value this process resolved as a secret to a process-wide
 *       set that {@link #redact} and {@link #hideSecrets} mask everywhere: log lines, stored
 *       errors and outputs, command output.
 * </ul>
 */
public final class Redaction {
    /** What is shown instead of a secret. */
    public static final String HIDDEN = "***";

    private static final Pattern USERINFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)([^/@\\s:]*):([^/@\\s]*)@");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password|passwd|pwd|sslpassword)=([^&\\s;]*)");
    private static final Pattern HTTP_URL = Pattern.compile(
            "(?i)\\b(https?://)([^\\s/?#@\"'<>]*@)?([^\\s?#\"'<>]*)(\\?[^\\s#\"'<>]*)?(#[^\\s\"'<>]*)?");

    /** The most resolved secret values remembered; the oldest are forgotten first. */
    static final int REMEMBERED_MAX = 4_096;

    private static final Object REMEMBER_LOCK = new Object();
    /** Values resolved as secrets in this process, in the order first seen. */
    private static final java.util.LinkedHashSet<String> remembered = new java.util.LinkedHashSet<>();
    /** {@link #remembered} with their JSON-escaped forms, longest first; replaced whole on change. */
    private static volatile List<String> rememberedForms = List.of();

    private Redaction() {}

    /**
     * Remembers {@code value} as a secret this process resolved: from now on {@link #redact} and
     * {@link #hideSecrets} mask it wherever it appears. Values shorter than {@link
     * Secrets#MIN_LENGTH} are not remembered. Cheap when the value is already known.
     */
    public static void rememberSecret(String value) {
        if (value == null || value.strip().length() < Secrets.MIN_LENGTH) {
            return;
        }
        synchronized (REMEMBER_LOCK) {
            if (!remembered.add(value)) {
                return;
            }
            if (remembered.size() > REMEMBERED_MAX) {
                remembered.remove(remembered.iterator().next());
            }
            List<String> forms = new ArrayList<>();
            for (String v : remembered) {
                forms.add(v);
                String stripped = v.strip();
                if (stripped.length() != v.length()) {
                    forms.add(stripped);
                }
                String escaped = jsonEscaped(v);
                if (!escaped.equals(v)) {
                    forms.add(escaped);
                }
                // As the worker's JSON writer escapes it (\b, \f, upper-case hex), in node outputs.
                String written = io.nebula.worker.json.Json.MAPPER.writeValueAsString(v);
                written = written.substring(1, written.length() - 1);
                if (!written.equals(v)) {
                    forms.add(written);
                }
            }
            rememberedForms = forms.stream()
                    .distinct()
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList();
        }
    }

    /**
     * {@code text} with every remembered secret value (and its JSON-escaped form) replaced by
     * {@link #HIDDEN}, and nothing else changed: for values that must keep their shape, such as a
     * node's output. {@code null} stays {@code null}.
     */
    public static String hideSecrets(String text) {
        if (text == null) {
            return null;
        }
        List<String> forms = rememberedForms;
        String s = text;
        for (String v : forms) {
            if (s.contains(v)) {
                s = s.replace(v, HIDDEN);
            }
        }
        return s;
    }

    /** Whether {@code text} holds a remembered secret value. */
    public static boolean holdsSecret(String text) {
        if (text == null) {
            return false;
        }
        for (String v : rememberedForms) {
            if (text.contains(v)) {
                return true;
            }
        }
        return false;
    }

    /** How {@code v} appears inside a JSON string. */
    private static String jsonEscaped(String v) {
        StringBuilder b = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /**
     * {@code text} with remembered secret values ({@link #rememberSecret}), credentials and URL
     * query values replaced by {@code ***}; {@code null} stays {@code null}.
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String s = hideSecrets(text);
        if (s.contains("://")) {
            s = httpUrls(s);
            s = USERINFO.matcher(s).replaceAll("$1$2:" + HIDDEN + "@");
        }
        return s.indexOf('=') < 0 ? s : PASSWORD_PARAM.matcher(s).replaceAll("$1=" + HIDDEN);
    }

    private static String httpUrls(String text) {
        Matcher m = HTTP_URL.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            StringBuilder url = new StringBuilder(m.group(1));
            if (m.group(2) != null) {
                url.append(HIDDEN).append('@');
            }
            url.append(m.group(3));
            if (m.group(4) != null) {
                url.append(query(m.group(4).substring(1)));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(url.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** {@code ?a=***&b=***} for a raw query {@code a=1&b=2}; names kept, values hidden. */
    private static String query(String raw) {
        if (raw.isEmpty()) {
            return "?";
        }
        List<String> parts = new ArrayList<>();
        for (String pair : raw.split("&", -1)) {
            int eq = pair.indexOf('=');
            parts.add(eq < 0 ? (pair.isEmpty() ? "" : HIDDEN) : pair.substring(0, eq) + "=" + HIDDEN);
        }
        return "?" + String.join("&", parts);
    }

    /** An HTTP destination for a message: no user info, query values hidden, no fragment. */
    public static String url(URI uri) {
        if (uri == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        if (uri.getScheme() != null) {
            b.append(uri.getScheme().toLowerCase(Locale.ROOT)).append("://");
        }
        if (uri.getRawUserInfo() != null) {
            b.append(HIDDEN).append('@');
        }
        if (uri.getHost() != null) {
            b.append(uri.getHost());
        } else if (uri.getRawAuthority() != null) {
            // An authority java.net.URI cannot read as host and port ("127.1", "a_b:80") keeps its
            // text, with anything before an '@' hidden as user information is.
            String authority = uri.getRawAuthority();
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                b.append(HIDDEN).append('@');
            }
            b.append(authority.substring(at + 1));
        }
        if (uri.getPort() != -1) {
            b.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            b.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            b.append(query(uri.getRawQuery()));
        }
        return b.toString();
    }

    /** A body in a message: its size and content type, never its content. */
    public static String body(long bytes, String contentType) {
        String type = contentType == null || contentType.isBlank() ? "" : " of " + contentType.split(";")[0].strip();
        return bytes == 0 ? "empty body" : bytes + "-byte body" + type;
    }

    /**
     * Values known to be secret, masked wherever they appear in a text. Immutable; build one per
     * request or execution with {@link #of}. Values shorter than {@value #MIN_LENGTH} characters are
     * ignored: masking every "1" or "yes" would garble messages and hide nothing.
     */
    public static final class Secrets {
        /** The shortest value masked. */
        public static final int MIN_LENGTH = 4;

        private static final Secrets NONE = new Secrets(List.of());

        private final List<String> values;

        private Secrets(List<String> values) {
            this.values = values;
        }

        public static Secrets none() {
            return NONE;
        }

        /** The given values, longest first so that a value containing another is masked whole. */
        public static Secrets of(Collection<String> values) {
            List<String> kept = values.stream()
                    .filter(v -> v != null && v.strip().length() >= MIN_LENGTH)
                    .distinct()
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList();
            return kept.isEmpty() ? NONE : new Secrets(kept);
        }

        /** These values and {@code more}. */
        public Secrets and(Collection<String> more) {
            List<String> all = new ArrayList<>(values);
            all.addAll(more);
            return of(all);
        }

        /** These values and those of {@code other}. */
        public Secrets and(Secrets other) {
            return other.values.isEmpty() ? this : and(other.values);
        }

        /** {@code text} with every known value, and anything {@link #redact} hides, replaced. */
        public String mask(String text) {
            if (text == null) {
                return null;
            }
            String s = text;
            for (String v : values) {
                s = s.replace(v, HIDDEN);
                String stripped = v.strip();
                if (stripped.length() != v.length() && stripped.length() >= MIN_LENGTH) {
                    s = s.replace(stripped, HIDDEN);
                }
            }
            return redact(s);
        }
    }
}
