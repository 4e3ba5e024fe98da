package io.nebula.worker.action.builtin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The JVM's name resolver (installed through {@code META-INF/services}), which closes the DNS
 * rebinding gap of a check-then-connect guard: while {@code http.request} calls a host, that host
 * is pinned to the addresses {@link DestinationGuard} resolved and checked, so the HTTP client,
 * which resolves the name again when it connects, gets exactly those addresses and never a second,
 * different answer. Names that are not pinned (the database, everything else the process looks up)
 * resolve as they would without this provider.
 *
 * <p>Pins are counted, so concurrent calls to one host share a pin; each answer given for a pinned
 * name is one its pinner checked. {@link #active()} tells whether the JVM really uses this
 * provider (an embedding application may have installed its own).
 */
public final class DestinationResolver extends InetAddressResolverProvider {
    private static final Map<String, Pin> PINS = new ConcurrentHashMap<>();
    private static final String PROBE_HOST = "nebula-resolver-probe.invalid";
    private static volatile InetAddressResolver builtin;
    private static volatile Function<String, List<InetAddress>> testAnswers = name -> null;
    private static volatile Boolean active;

    /** Required by {@link java.util.ServiceLoader}. */
    public DestinationResolver() {}

    @Override
    public InetAddressResolver get(Configuration configuration) {
        builtin = configuration.builtinResolver();
        return new Pinning();
    }

    @Override
    public String name() {
        return "nebula-pinning-resolver";
    }

    /** A host's checked addresses, held while requests to it run. */
    static final class Pin implements AutoCloseable {
        private final String host;
        private final InetAddress[] addresses;
        private int holders = 1;

        private Pin(String host, InetAddress[] addresses) {
            this.host = host;
            this.addresses = addresses.clone();
        }

        @Override
        public void close() {
            if (host != null) {
                PINS.computeIfPresent(host, (h, p) -> --p.holders == 0 ? null : p);
            }
        }
    }

    /** A pin that holds nothing, for destinations that are not guarded. */
    static final Pin NONE = new Pin(null, new InetAddress[0]);

    private static Stream<InetAddress> upstream(String host, InetAddressResolver.LookupPolicy policy)
            throws UnknownHostException {
        List<InetAddress> given = testAnswers.apply(host);
        return given != null ? given.stream() : builtin.lookupByName(host, policy);
    }

    /** Until the returned pin is closed, {@code host} resolves to exactly {@code addresses}. */
    static Pin pin(String host, InetAddress[] addresses) {
        String key = host.toLowerCase(Locale.ROOT);
        Pin[] mine = new Pin[1];
        PINS.compute(key, (h, p) -> {
            if (p == null || !Arrays.equals(p.addresses, addresses)) {
                // A second, different checked answer: both sets were checked; the newer one serves.
                Pin fresh = new Pin(key, addresses);
                fresh.holders = p == null ? 1 : p.holders + 1;
                mine[0] = fresh;
                return fresh;
            }
            p.holders++;
            mine[0] = p;
            return p;
        });
        return mine[0];
    }

    /** Whether the JVM resolves names through this provider (checked once, with a probe pin). */
    static boolean active() {
        Boolean a = active;
        if (a == null) {
            try (Pin p =
                    pin(PROBE_HOST, new InetAddress[] {InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1})})) {
                InetAddress[] seen = InetAddress.getAllByName(PROBE_HOST);
                a = seen.length == 1 && seen[0].getHostAddress().equals("192.0.2.1");
            } catch (Exception e) {
                a = false;
            }
            active = a;
        }
        return a;
    }

    /**
     * Answers for names in tests of changing DNS answers: {@code answers} gives a name's addresses,
     * or {@code null} to resolve it as usual; {@code null} removes the seam.
     */
    static void answersForTests(Function<String, List<InetAddress>> answers) {
        testAnswers = answers == null ? name -> null : answers;
    }

    /** Answers pinned names from their pins and everything else as the built-in resolver does. */
    private static final class Pinning implements InetAddressResolver {
        @Override
        public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
            Pin p = PINS.get(host.toLowerCase(Locale.ROOT));
            if (p != null) {
                List<InetAddress> kept = Arrays.stream(p.addresses)
                        .filter(a -> accepts(policy, a))
                        .toList();
                if (kept.isEmpty()) {
                    throw new UnknownHostException(host + ": no checked address of the requested family");
                }
                return kept.stream();
            }
            return upstream(host, policy);
        }

        @Override
        public String lookupByAddress(byte[] addr) throws UnknownHostException {
            return builtin.lookupByAddress(addr);
        }

        private static boolean accepts(LookupPolicy policy, InetAddress a) {
            int c = policy.characteristics();
            boolean v4 = (c & LookupPolicy.IPV4) != 0;
            boolean v6 = (c & LookupPolicy.IPV6) != 0;
            return a instanceof java.net.Inet4Address ? v4 || !v6 : v6 || !v4;
        }
    }
}
