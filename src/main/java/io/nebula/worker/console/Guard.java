package io.nebula.worker.console;

import io.nebula.worker.config.ConfigException;
import io.nebula.worker.config.Setting;
import io.nebula.worker.config.WorkerConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Who may use the console and how requests must look:
 *
 * <ul>
 *   <li>Bound to anything but a loopback address, the console refuses to start without an access
 *       token ({@link #check}).
 *   <li>With a token, every request must carry it: the sign-in cookie (which holds a digest of the
 *       token, not the token) or {@code Authorization: Bearer <token>}. Comparisons take constant
 *       time.
 *   <li>Without a token (loopback only), the {@code Host} header must name a loopback host, so a
 *       web page whose domain was re-pointed at 127.0.0.1 (DNS rebinding) cannot read the console.
 *   <li>Every POST carries the CSRF token of this process, and a cross-site POST (by {@code
 *       Origin} or {@code Sec-Fetch-Site}) is refused.
 * </ul>
 */
final class Guard {
    static final String COOKIE = "nebula_console";

    private final String token;
    private final byte[] cookieValue;
    private final String csrf;
    private final boolean loopback;

    private Guard(String token, boolean loopback) {
        this.token = token;
        this.loopback = loopback;
        this.cookieValue = token == null ? null : digest(token).getBytes(StandardCharsets.US_ASCII);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * Checks the configuration and returns the guard for it.
     *
     * @throws ConfigException when the console would be reachable from other hosts without a token
     */
    static Guard check(WorkerConfig.Console config) {
        boolean loopback = isLoopback(config.bind());
        if (!loopback && config.token() == null) {
            throw new ConfigException(
                    Setting.CONSOLE_BIND.key(),
                    "the console would listen on " + config.bind() + ", which is not a loopback address, without an"
                            + " access token: set " + Setting.CONSOLE_TOKEN.key() + " (or "
                            + Setting.CONSOLE_TOKEN.env().orElseThrow() + "), or bind 127.0.0.1");
        }
        return new Guard(config.token(), loopback);
    }

    /** Whether {@code bind} names only this machine (127.0.0.0/8, ::1, a name resolving to them). */
    static boolean isLoopback(String bind) {
        try {
            InetAddress[] all = InetAddress.getAllByName(bind);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    boolean tokenRequired() {
        return token != null;
    }

    String csrf() {
        return csrf;
    }

    /** Whether the request carries the access token (always true when none is configured). */
    boolean signedIn(Request r) {
        if (token == null) {
            return true;
        }
        String cookie = r.cookies().get(COOKIE);
        if (cookie != null && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.US_ASCII), cookieValue)) {
            return true;
        }
        String auth = r.header("Authorization");
        return auth != null
                && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                && matches(auth.substring(7).strip());
    }

    /** Whether {@code candidate} is the access token. */
    boolean matches(String candidate) {
        return token != null
                && MessageDigest.isEqual(digest(candidate).getBytes(StandardCharsets.US_ASCII), cookieValue);
    }

    /** The sign-in cookie for a correct token. */
    String signInCookie() {
        return COOKIE + "=" + new String(cookieValue, StandardCharsets.US_ASCII)
                + "; Path=/; HttpOnly; SameSite=Strict";
    }

    static String signOutCookie() {
        return COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
    }

    /**
     * Why the request must be refused before anything else, or {@code null}: a {@code Host} that
     * is not this machine while the console is open without a token.
     */
    String hostProblem(Request r) {
        if (token != null || !loopback) {
            return null;
        }
        String host = r.header("Host");
        if (host == null) {
            return null;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) {
            name = name.substring(0, Math.max(1, name.indexOf(']') + 1));
        } else if (name.indexOf(':') >= 0) {
            name = name.substring(0, name.indexOf(':'));
        }
        boolean local = name.equals("localhost")
                || name.endsWith(".localhost")
                || name.equals("[::1]")
                || name.matches("127(\\.\\d{1,3}){3}");
        return local ? null : "this console answers only to localhost, 127.0.0.1 or [::1] as host name";
    }

    /** Why a POST must be refused, or {@code null} when it may proceed. */
    String postProblem(Request r) {
        String crossSite = crossSiteProblem(r);
        if (crossSite != null) {
            return crossSite;
        }
        String sent = r.form().get("csrf");
        if (sent == null
                || !MessageDigest.isEqual(
                        sent.getBytes(StandardCharsets.UTF_8), csrf.getBytes(StandardCharsets.UTF_8))) {
            return "the form is missing its CSRF token or is from an earlier run of the console; reload the page";
        }
        return null;
    }

    /**
     * Why a POST looks like it came from another site, or {@code null}. A browser's {@code
     * Sec-Fetch-Site: same-origin} is taken as it is: behind a reverse proxy the {@code Host} the
     * console sees may be the proxy's upstream address. Otherwise an {@code Origin} must name the
     * {@code Host} (or the {@code X-Forwarded-Host} a proxy sets) over {@code http} or {@code https}:
     * a page elsewhere cannot set either header on a form it submits; an opaque {@code Origin:
     * null} is refused.
     */
    String crossSiteProblem(Request r) {
        String site = r.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "a request from another site";
        }
        if ("same-origin".equals(site)) {
            return null;
        }
        String origin = r.header("Origin");
        if (origin == null) {
            return null; // not a browser's form (curl, a script with the token)
        }
        if (origin.equals("null")) {
            // An opaque origin: a sandboxed frame, a page that hides its referrer, a redirect from
            // elsewhere. This console's own pages send their origin (Referrer-Policy: same-origin).
            return "a request from an opaque origin";
        }
        String forwarded = r.header("X-Forwarded-Host");
        if (forwarded != null && forwarded.indexOf(',') >= 0) {
            forwarded = forwarded.substring(0, forwarded.indexOf(','));
        }
        for (String host : new String[] {r.header("Host"), forwarded}) {
            if (host != null
                    && !host.isBlank()
                    && (origin.equalsIgnoreCase("http://" + host.strip())
                            || origin.equalsIgnoreCase("https://" + host.strip()))) {
                return null;
            }
        }
        return "a request from another origin";
    }

    private static String digest(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(("nebula-console:" + s).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
