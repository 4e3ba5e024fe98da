package io.nebula.worker.action.builtin;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides whether the HTTP action may connect to an address: the server-side request forgery
 * defence. Every address a host name resolves to is checked, because a name can point at both a
 * public and an internal address.
 *
 * <p>Refused: unspecified (0.0.0.0/8, ::), loopback (127/8, ::1), RFC 1918 private (10/8,
 * 172.16/12, 192.168/16), carrier-grade NAT (100.64/10), link-local (169.254/16 with the cloud
 * metadata address, fe80::/10), Azure's platform address 168.63.129.16 (a public address that
 * reaches the host's metadata services from inside a virtual machine), IETF protocol assignments (192.0.0/24), benchmarking (198.18/15),
 * reserved and broadcast (240/4), multicast (224/4, ff00::/8), unique-local (fc00::/7), the
 * deprecated site-local fec0::/10, documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24,
 * 2001:db8::/32), the discard prefix 100::/64, Teredo 2001::/32 and local-use NAT64
 * 64:ff9b:1::/48 (whose inner IPv4 address is not to be trusted), IPv6 forms that embed an IPv4
 * address (IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, IPv4-compatible ::/96,
 * NAT64 64:ff9b::/96, 6to4 2002::/16), which are judged by the IPv4 address inside, and any
 * address of the worker's own host (its public interfaces included).
 *
 * <p>The addresses checked are the ones connected to: {@link DestinationResolver} pins the host to
 * them while the request runs, so the client's own lookup cannot get a different answer (DNS
 * rebinding).
 */
final class DestinationGuard {
    /** How long the list of this host's own addresses is reused before it is read again. */
    private static final long LOCAL_REFRESH_NANOS = 30_000_000_000L;

    private static volatile Set<InetAddress> local = Set.of();
    private static volatile long localReadAt;

    private DestinationGuard() {}

    /** Why {@code address} is internal, or {@code null} when it is a public address. */
    static String internalReason(InetAddress address) {
        return internalReason(address, localAddresses());
    }

    /** As {@link #internalReason(InetAddress)}, with this host's addresses given. */
    static String internalReason(InetAddress address, Set<InetAddress> ownAddresses) {
        byte[] b = address.getAddress();
        String reason;
        if (address instanceof Inet4Address) {
            reason = ipv4Reason(b);
        } else if (address instanceof Inet6Address) {
            reason = ipv6Reason(b);
        } else {
            reason = "unknown address family";
        }
        if (reason == null && ownAddresses.contains(address)) {
            reason = "an address of this worker's own host";
        }
        return reason;
    }

    /** How names are resolved for the check: {@link InetAddress#getAllByName}, or a test's. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    /** Resolves {@code host} and returns the first internal address with its reason, or null. */
    static String check(String host) throws UnknownHostException {
        try {
            checked(host, InetAddress::getAllByName, DestinationGuard::internalReason);
            return null;
        } catch (Refused r) {
            return r.getMessage();
        }
    }

    /** An address a destination resolved to is internal; the message names it and why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Resolves {@code host} with {@code lookup} and checks every address with {@code judge}, which
     * returns why an address is internal or {@code null}.
     *
     * @return every address, all of them judged public
     * @throws Refused naming the first internal address and why
     */
    static InetAddress[] checked(String host, Lookup lookup, Function<InetAddress, String> judge)
            throws UnknownHostException, Refused {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] all = lookup.all(bare);
        for (InetAddress a : all) {
            String reason = judge.apply(a);
            if (reason != null) {
                throw new Refused(a.getHostAddress() + " is " + reason);
            }
        }
        return all;
    }

    /** The addresses of this host's interfaces, read again at most every 30 seconds. */
    private static Set<InetAddress> localAddresses() {
        long now = System.nanoTime();
        if (now - localReadAt > LOCAL_REFRESH_NANOS || localReadAt == 0) {
            Set<InetAddress> found = new HashSet<>();
            try {
                var interfaces = NetworkInterface.getNetworkInterfaces();
                while (interfaces != null && interfaces.hasMoreElements()) {
                    interfaces.nextElement().inetAddresses().forEach(a -> found.add(withoutScope(a)));
                }
            } catch (SocketException e) {
                // Keep the last list: an interface read that fails says nothing about the addresses.
                return local;
            }
            local = Set.copyOf(found);
            localReadAt = now;
        }
        return local;
    }

    /** fe80::1%eth0 and fe80::1 are the same address for this purpose. */
    private static InetAddress withoutScope(InetAddress a) {
        if (a instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            try {
                return InetAddress.getByAddress(v6.getAddress());
            } catch (UnknownHostException e) {
                return a;
            }
        }
        return a;
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
        if (o0 == 168 && o1 == 63 && o2 == 129 && (b[3] & 0xff) == 16) {
            return "Azure's platform address (168.63.129.16: the host's metadata, DNS and health services)";
        }
        if (o0 == 192 && o1 == 0 && o2 == 0) {
            return "an IETF protocol assignment address (192.0.0.0/24)";
        }
        if (o0 == 198 && (o1 & 0xfe) == 18) {
            return "a benchmarking address (198.18.0.0/15)";
        }
        if ((o0 == 192 && o1 == 0 && o2 == 2)
                || (o0 == 198 && o1 == 51 && o2 == 100)
                || (o0 == 203 && o1 == 0 && o2 == 113)) {
            return "a documentation address";
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
        if (allZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && allZero(b, 10, 12)) {
            return embedded("an IPv4-translated IPv6 address", b, 12);
        }
        if ((b[0] & 0xff) == 0x00
                && (b[1] & 0xff) == 0x64
                && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b
                && (b[4] & 0xff) == 0x00
                && (b[5] & 0xff) == 0x01) {
            return "a local-use NAT64 address (64:ff9b:1::/48)";
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x00 && (b[3] & 0xff) == 0x00) {
            return "a Teredo address (2001::/32)";
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return "a documentation address (2001:db8::/32)";
        }
        if ((b[0] & 0xff) == 0x01 && allZero(b, 1, 8)) {
            return "a discard-only address (100::/64)";
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
