package io.nebula.worker.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns libpq connection URIs and pgjdbc URLs into a {@link DatabaseUrl.Postgres}: a JDBC URL that
 * holds only hosts, ports and database, plus driver properties holding everything else,
 * credentials included.
 *
 * <p>libpq query parameters are translated to pgjdbc's names: {@code application_name} to {@code
 * ApplicationName}, {@code connect_timeout} to {@code connectTimeout} (both in seconds), {@code
 * target_session_attrs} to {@code targetServerType}, {@code keepalives} to {@code tcpKeepAlive},
 * {@code dbname}/{@code host}/{@code port} override the URI's parts; {@code sslmode} (libpq values,
 * which pgjdbc shares), {@code sslrootcert}, {@code sslcert}, {@code sslkey}, {@code sslpassword},
 * {@code user}, {@code password} and any other parameter pass through unchanged. Parameters of a
 * {@code jdbc:postgresql:} URL are pgjdbc's already and pass through as they are.
 */
final class PostgresUrls {
    private static final Set<String> SSL_MODES =
            Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final Set<String> SECRET_PARAMS = Set.of("password", "sslpassword");
    private static final Map<String, String> TARGET_SESSION_ATTRS = Map.of(
            "any", "any",
            "read-write", "primary",
            "primary", "primary",
            "read-only", "secondary",
            "standby", "secondary",
            "prefer-standby", "preferSecondary");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._~-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._~-]+)?");

    private PostgresUrls() {}

    /** {@code postgres://} or {@code postgresql://}. */
    static DatabaseUrl.Postgres parseLibpq(String raw) {
        return parse(raw, raw.indexOf("://") + 3, true);
    }

    /** {@code jdbc:postgresql://...} or the short {@code jdbc:postgresql:db}. */
    static DatabaseUrl.Postgres parseJdbc(String raw) {
        int start = "jdbc:postgresql:".length();
        if (raw.startsWith("//", start)) {
            return parse(raw, start + 2, false);
        }
        // Short forms without a host (jdbc:postgresql:db, jdbc:postgresql:/) mean the local host.
        return parse("jdbc:postgresql:///" + raw.substring(start).replaceFirst("^/", ""), start + 2, false);
    }

    private static DatabaseUrl.Postgres parse(String raw, int authorityStart, boolean libpq) {
        String scheme = raw.substring(0, authorityStart);
        int q = raw.indexOf('?', authorityStart);
        String head = q < 0 ? raw.substring(authorityStart) : raw.substring(authorityStart, q);
        String query = q < 0 ? "" : raw.substring(q + 1);

        // The last '@' ends the user info, so an unencoded '@' or '/' in a password still parses.
        int at = head.lastIndexOf('@');
        if (at < 0 && query.indexOf('@') >= 0) {
            // An unencoded '?' in the password cut the URL there: whatever follows is part of it,
            // so nothing of it may be quoted back.
            throw new IllegalArgumentException("found '@' after the '?' that starts the parameters; a '?' inside the"
                    + " user name or password must be written %3F");
        }
        String userinfo = at < 0 ? null : head.substring(0, at);
        String rest = at < 0 ? head : head.substring(at + 1);
        int slash = rest.indexOf('/');
        String hostspec = slash < 0 ? rest : rest.substring(0, slash);
        String database = slash < 0 ? "" : decode(rest.substring(slash + 1), "database name");

        Properties props = new Properties();
        StringBuilder redacted = new StringBuilder(scheme);
        if (userinfo != null) {
            int colon = userinfo.indexOf(':');
            String user = decode(colon < 0 ? userinfo : userinfo.substring(0, colon), "user name");
            if (!user.isEmpty()) {
                props.setProperty("user", user);
            }
            redacted.append(colon < 0 ? userinfo : userinfo.substring(0, colon));
            if (colon >= 0) {
                props.setProperty("password", decode(userinfo.substring(colon + 1), "password"));
                redacted.append(":***");
            }
            redacted.append('@');
        }
        redacted.append(rest);

        List<String> redactedParams = new ArrayList<>();
        for (String pair : query.isEmpty() ? new String[0] : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "parameter name");
            String value = decode(eq < 0 ? "" : pair.substring(eq + 1), "value of " + name);
            boolean secret = SECRET_PARAMS.contains(name.toLowerCase(Locale.ROOT));
            redactedParams.add(secret ? pair.substring(0, Math.max(eq, 0)) + "=***" : pair);
            if (libpq) {
                switch (name) {
                    case "dbname" -> database = value;
                    case "host" -> hostspec = value;
                    case "port" -> hostspec = withPort(hostspec, value);
                    default -> putLibpqParam(props, name, value);
                }
            } else {
                props.setProperty(name, value);
            }
        }
        if (!redactedParams.isEmpty()) {
            redacted.append('?').append(String.join("&", redactedParams));
        }
        String jdbcUrl = "jdbc:postgresql://" + hosts(hostspec) + "/" + encodePathSegment(database);
        return new DatabaseUrl.Postgres(jdbcUrl, props, redacted.toString());
    }

    private static void putLibpqParam(Properties props, String name, String value) {
        switch (name) {
            case "sslmode" -> {
                if (!SSL_MODES.contains(value)) {
                    throw new IllegalArgumentException("found sslmode=" + value + ", which is not one of "
                            + String.join(
                                    ", ",
                                    List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full")));
                }
                props.setProperty("sslmode", value);
            }
            case "application_name" -> props.setProperty("ApplicationName", value);
            case "connect_timeout" -> {
                if (!value.matches("\\d{1,9}")) {
                    throw new IllegalArgumentException(
                            "found connect_timeout=" + value + ", which is not a whole number of seconds");
                }
                props.setProperty("connectTimeout", value);
            }
            case "target_session_attrs" -> {
                String mapped = TARGET_SESSION_ATTRS.get(value);
                if (mapped == null) {
                    throw new IllegalArgumentException("found target_session_attrs=" + value
                            + ", which is not one of any, read-write, primary, read-only, standby, prefer-standby");
                }
                props.setProperty("targetServerType", mapped);
            }
            case "keepalives" -> props.setProperty("tcpKeepAlive", String.valueOf(!"0".equals(value)));
            default -> props.setProperty(name, value);
        }
    }

    private static String withPort(String hostspec, String port) {
        String first = hostspec.isEmpty() ? "localhost" : hostspec.split(",")[0];
        return hostOnly(first) + ":" + port;
    }

    /** Normalises {@code h1:p1,[::1]:p2,...} with defaults applied and every part checked. */
    private static String hosts(String hostspec) {
        List<String> out = new ArrayList<>();
        for (String entry : hostspec.isEmpty() ? new String[] {""} : splitHosts(hostspec)) {
            String host = decode(hostOnly(entry), "host");
            String port = portOf(entry);
            if (host.isEmpty()) {
                host = "localhost";
            }
            if (host.startsWith("/")) {
                throw new IllegalArgumentException(
                        "found the Unix-domain socket " + host + ", which the JDBC driver cannot use; give a TCP host");
            }
            boolean v6 = host.contains(":");
            if (v6 ? !IPV6.matcher(host).matches() : !HOST_NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("found the invalid host \"" + host + "\"");
            }
            if (port.isEmpty()) {
                port = "5432";
            }
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
                throw new IllegalArgumentException(
                        "found port \"" + port + "\", which is not a number from 1 to 65535");
            }
            out.add((v6 ? "[" + host + "]" : host) + ":" + port);
        }
        return String.join(",", out);
    }

    private static String[] splitHosts(String hostspec) {
        return hostspec.split(",", -1);
    }

    private static String hostOnly(String entry) {
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("found an IPv6 host without its closing ']'");
            }
            return entry.substring(1, close);
        }
        int colon = entry.indexOf(':');
        return colon < 0 ? entry : entry.substring(0, colon);
    }

    private static String portOf(String entry) {
        int from = entry.startsWith("[") ? entry.indexOf(']') + 1 : 0;
        int colon = entry.indexOf(':', from);
        return colon < 0 ? "" : entry.substring(colon + 1);
    }

    /** RFC 3986 percent-decoding as libpq does it: UTF-8, and '+' stays a plus sign. */
    static String decode(String s, String what) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("found an invalid %-escape in the " + what);
                }
                out.write(hi * 16 + lo);
                i += 3;
            } else {
                int next = s.indexOf('%', i);
                int end = next < 0 ? s.length() : next;
                out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("found %-escapes that are not UTF-8 in the " + what);
        }
    }

    private static String encodePathSegment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
