package io.nebula.worker.action.builtin;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Decides whether the HTTP action may connect to an address: the server-side request forgery
 * defence. Every address a host name resolves to is checked, because a name can point at both a
 * public and an internal address.
 *
 * <p>Refused: unspecified (0.0.0.0/8, ::), loopback (127/8, ::1), RFC 1918 private (10/8,
 * 172.16/12, 192.168/16), carrier-grade NAT (100.64/10), link-local (169.254/16 with the cloud
 * metadata address, fe80::/10), IETF protocol assignments (192.0.0/24), benchmarking (198.18/15),
 * reserved and broadcast (240/4), multicast (224/4, ff00::/8), unique-local (fc00::/7), the
 * deprecated site-local fec0::/10, and IPv6 forms that embed an IPv4 address (IPv4-mapped
 * ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16), which are judged by
 * the IPv4 address inside.
 *
 * <p>Known gap: the HTTP client resolves the name again when it connects, so a DNS server that
 * answers differently the second time (DNS rebinding) is not stopped here.
 */
final class DestinationGuard {
    private DestinationGuard() {}

    /** Why {@code address} is internal, or {@code null} when it is a public address. */
    static String internalReason(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return ipv4Reason(b);
        }
        if (address instanceof Inet6Address) {
            return ipv6Reason(b);
        }
        return "unknown address family";
    }

    /** Resolves {@code host} and returns the first internal address with its reason, or null. */
    static String check(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        for (InetAddress a : InetAddress.getAllByName(bare)) {
            String reason = internalReason(a);
            if (reason != null) {
                return a.getHostAddress() + " is " + reason;
            }
        }
        return null;
    }

    private static String ipv4Reason(byte[] b) {
        int o0 = b[0] & 0xff;
        int o1 = b[1] & 0xff;
        int o2 = b[2] & 0xff;
        if (o0 == 0) {
            return "an unspecified address (0.0.0.0/8)";
        }
        if (o0 == 127) {
            return "a loopback address";
        }
        if (o0 == 10 || (o0 == 172 && (o1 & 0xf0) == 16) || (o0 == 192 && o1 == 168)) {
            return "a private address";
        }
        if (o0 == 100 && (o1 & 0xc0) == 64) {
            return "a carrier-grade NAT address (100.64.0.0/10)";
        }
        if (o0 == 169 && o1 == 254) {
            return "a link-local address (169.254.0.0/16, cloud metadata)";
        }
        if (o0 == 192 && o1 == 0 && o2 == 0) {
            return "an IETF protocol assignment address (192.0.0.0/24)";
        }
        if (o0 == 198 && (o1 & 0xfe) == 18) {
            return "a benchmarking address (198.18.0.0/15)";
        }
        if (o0 >= 224 && o0 <= 239) {
            return "a multicast address";
        }
        if (o0 >= 240) {
            return "a reserved or broadcast address";
        }
        return null;
    }

    private static String ipv6Reason(byte[] b) {
        boolean firstTenZero = allZero(b, 0, 10);
        if (firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return embedded("an IPv4-mapped IPv6 address", b, 12);
        }
        if (allZero(b, 0, 12)) {
            if (allZero(b, 12, 16)) {
                return "an unspecified address (::)";
            }
            if (allZero(b, 12, 15) && b[15] == 1) {
                return "a loopback address (::1)";
            }
            return embedded("an IPv4-compatible IPv6 address", b, 12);
        }
        if ((b[0] & 0xff) == 0x00
                && (b[1] & 0xff) == 0x64
                && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b
                && allZero(b, 4, 12)) {
            return embedded("a NAT64 address", b, 12);
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return embedded("a 6to4 address", b, 2);
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return "a unique-local address (fc00::/7)";
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return "a link-local address (fe80::/10)";
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return "a site-local address (fec0::/10)";
        }
        if ((b[0] & 0xff) == 0xff) {
            return "a multicast address";
        }
        return null;
    }

    private static String embedded(String form, byte[] b, int from) {
        String inner = ipv4Reason(Arrays.copyOfRange(b, from, from + 4));
        return inner == null ? null : form + " of " + inner;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
