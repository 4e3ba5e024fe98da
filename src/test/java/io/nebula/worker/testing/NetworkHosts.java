package io.nebula.worker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts on a network of their own, made of Linux network namespaces: {@code n} namespaces, each
 * joined to a bridge in the root namespace by a veth pair, on a private /24 that no interface of
 * this machine uses. The bridge's address is the gateway, where a {@link TcpProxy} forwards to the
 * local PostgreSQL (which listens on loopback only; no server setting changes). {@link #cut} drops
 * every packet between one host and the gateway with an nftables set in a table of our own, as a
 * partition does (connections hang, nothing is refused); {@link #heal} lets them through again.
 *
 * <p>Every name carries a random prefix ({@code nb<4 hex>}), and only what this object created is
 * removed by {@link #close()}, which also runs from a shutdown hook if the JVM ends first. Needs
 * root, {@code ip} (iproute2) and {@code nft} (nftables); with {@code CI=true} their absence fails
 * the test instead of skipping it.
 */
public final class NetworkHosts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetworkHosts.class);
    private static final Path IP = Path.of("/usr/sbin/ip");
    private static final Path NFT = Path.of("/usr/sbin/nft");

    /** One host: its namespace, its address and the root side of its veth pair. */
    public record Host(String namespace, String address, String rootLink) {}

    private final String prefix;
    private final String subnet;
    private final String bridge;
    private final List<Host> hosts = new ArrayList<>();
    private final List<String> createdNamespaces = new ArrayList<>();
    private final List<String> createdLinks = new ArrayList<>();
    private boolean tableCreated;
    private TcpProxy postgres;
    private final Thread cleanupHook;
    private volatile boolean closed;

    private NetworkHosts(String prefix, String subnet) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.bridge = prefix + "br";
        this.cleanupHook = new Thread(this::close, "network-hosts-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /** Skips (or, in CI, fails) unless this process can make namespaces and nftables rules. */
    public static void require() {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "network namespaces need root";
        } else if (!Files.isExecutable(IP)) {
            why = IP + " is missing (apt-get install iproute2)";
        } else if (!Files.isExecutable(NFT)) {
            why = NFT + " is missing (apt-get install nftables)";
        }
        if (why == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why + "; .ci/run installs the tools and runs as root");
        }
        Assumptions.abort(why);
    }

    /**
     * Creates {@code n} hosts and a forwarder on the gateway to PostgreSQL at {@code pgHost:pgPort}.
     * Anything created before a failure is removed again.
     */
    public static NetworkHosts create(int n, String pgHost, int pgPort) {
        require();
        byte[] b = new byte[2];
        ThreadLocalRandom.current().nextBytes(b);
        String prefix = "nb" + HexFormat.of().formatHex(b);
        NetworkHosts net = new NetworkHosts(prefix, freeSubnet());
        try {
            net.build(n, pgHost, pgPort);
            return net;
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private void build(int n, String pgHost, int pgPort) {
        ip("link", "add", bridge, "type", "bridge");
        createdLinks.add(bridge);
        ip("addr", "add", gateway() + "/24", "dev", bridge);
        ip("link", "set", bridge, "up");
        for (int i = 1; i <= n; i++) {
            String ns = prefix + "-" + i;
            String rootLink = prefix + "h" + i;
            String nsLink = prefix + "n" + i;
            String address = subnet + "." + (10 + i);
            ip("netns", "add", ns);
            createdNamespaces.add(ns);
            ip("link", "add", rootLink, "type", "veth", "peer", "name", nsLink, "netns", ns);
            createdLinks.add(rootLink);
            ip("link", "set", rootLink, "master", bridge, "up");
            ip("-n", ns, "addr", "add", address + "/24", "dev", nsLink);
            ip("-n", ns, "link", "set", nsLink, "up");
            ip("-n", ns, "link", "set", "lo", "up");
            hosts.add(new Host(ns, address, rootLink));
        }
        nft("add", "table", "inet", prefix);
        tableCreated = true;
        nft("add", "set", "inet", prefix, "cut", "{ type ipv4_addr; }");
        nft("add", "chain", "inet", prefix, "input", "{ type filter hook input priority 0; policy accept; }");
        nft("add", "rule", "inet", prefix, "input", "ip", "saddr", "@cut", "drop");
        nft("add", "chain", "inet", prefix, "output", "{ type filter hook output priority 0; policy accept; }");
        nft("add", "rule", "inet", prefix, "output", "ip", "daddr", "@cut", "drop");
        try {
            postgres = new TcpProxy(gateway(), pgHost, pgPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the forwarder to PostgreSQL on " + gateway(), e);
        }
    }

    /** A /24 under 10.0.0.0/8 that no address of this machine is in. */
    private static String freeSubnet() {
        String used = run(List.of(IP.toString(), "-4", "-o", "addr", "show"), true);
        for (int tries = 0; tries < 200; tries++) {
            String s = "10." + (100 + ThreadLocalRandom.current().nextInt(150)) + "."
                    + ThreadLocalRandom.current().nextInt(256);
            if (!used.contains(" " + s + ".")) {
                return s;
            }
        }
        throw new IllegalStateException("no free 10.x.y.0/24 subnet found");
    }

    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    public Host host(int i) {
        return hosts.get(i);
    }

    /** The root namespace's address on this network. */
    public String gateway() {
        return subnet + ".1";
    }

    /** The JDBC URL of {@code database} as every host reaches it (through the gateway's forwarder). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + gateway() + ":" + postgres.port() + "/" + database;
    }

    /** The command prefix that runs a program inside {@code h}'s namespace. */
    public List<String> inside(Host h) {
        return List.of(IP.toString(), "netns", "exec", h.namespace());
    }

    /** Drops every packet between {@code h} and the rest of the network, both ways. */
    public void cut(Host h) {
        nft("add", "element", "inet", prefix, "cut", "{ " + h.address() + " }");
        log.info("network: cut {} ({})", h.namespace(), h.address());
    }

    /** Lets {@code h}'s packets through again. */
    public void heal(Host h) {
        nft("delete", "element", "inet", prefix, "cut", "{ " + h.address() + " }");
        log.info("network: healed {} ({})", h.namespace(), h.address());
    }

    /** Whether a TCP connection from inside {@code h} to the gateway's forwarder succeeds within 2 s. */
    public boolean reachesDatabase(Host h) {
        List<String> cmd = new ArrayList<>(inside(h));
        cmd.addAll(List.of("timeout", "2", "bash", "-c", "exec 3<>/dev/tcp/" + gateway() + "/" + postgres.port()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Names of this machine's namespaces, links and nftables tables that carry this object's prefix. */
    public List<String> leftovers() {
        List<String> out = new ArrayList<>();
        for (String line : run(List.of(IP.toString(), "netns", "list"), true).split("\n")) {
            if (line.startsWith(prefix)) {
                out.add("netns " + line.split(" ")[0]);
            }
        }
        for (String line :
                run(List.of(IP.toString(), "-o", "link", "show"), true).split("\n")) {
            if (line.contains(": " + prefix)) {
                out.add("link " + line.split(": ")[1].split("[@:]")[0]);
            }
        }
        for (String line : run(List.of(NFT.toString(), "list", "tables"), true).split("\n")) {
            if (line.trim().equals("table inet " + prefix)) {
                out.add(line.trim());
            }
        }
        return out;
    }

    /**
     * Removes everything this object created (the forwarder, the nftables table, the links, the
     * namespaces), each step tried even when an earlier one failed. Processes still running inside
     * a namespace keep it alive until they end; the caller stops them first.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != cleanupHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already
            }
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                log.warn("network: closing the forwarder failed: {}", e.toString());
            }
        }
        if (tableCreated) {
            quietly(List.of(NFT.toString(), "delete", "table", "inet", prefix));
        }
        for (String link : createdLinks.reversed()) {
            quietly(List.of(IP.toString(), "link", "del", link));
        }
        for (String ns : createdNamespaces) {
            quietly(List.of(IP.toString(), "netns", "del", ns));
        }
    }

    @Override
    public String toString() {
        return prefix + " " + subnet + ".0/24 " + hosts;
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of(IP.toString()));
        cmd.addAll(List.of(args));
        run(cmd, false);
    }

    private static void nft(String... args) {
        List<String> cmd = new ArrayList<>(List.of(NFT.toString()));
        cmd.addAll(List.of(args));
        run(cmd, false);
    }

    private static void quietly(List<String> cmd) {
        try {
            run(cmd, false);
        } catch (RuntimeException e) {
            log.warn("network: clean-up step failed: {}", e.getMessage());
        }
    }

    /** Runs {@code cmd}; its output, or (unless {@code lenient}) an exception naming it when it fails. */
    private static String run(List<String> cmd, boolean lenient) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 30 s");
            }
            if (p.exitValue() != 0 && !lenient) {
                throw new IllegalStateException(
                        String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", cmd), e);
        }
    }
}
