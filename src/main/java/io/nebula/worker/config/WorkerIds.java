package io.nebula.worker.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Worker identities. The default worker id is {@code <hostname>-<pid>}: readable in logs and
 * {@code workers} listings, and unique among live processes (two processes on one host differ by
 * pid; containers differ by host name). A configured worker id names a pool and may be shared by
 * many processes (every replica of a deployment gets the same WORKER_ID), but a lease owner must be
 * unique per process: {@link #instanceId} adds host and pid unless the id already is the default.
 */
public final class WorkerIds {
    private WorkerIds() {}

    static String defaultId(Map<String, String> env) {
        return hostName(env) + "-" + ProcessHandle.current().pid();
    }

    /** {@code <hostname>-<pid>} for this process. */
    public static String hostAndPid() {
        return defaultId(System.getenv());
    }

    /** The unique lease owner for a process of pool {@code poolId}. */
    public static String instanceId(String poolId) {
        String local = hostAndPid();
        return poolId == null || poolId.isBlank() || poolId.equals(local) ? local : poolId + "@" + local;
    }

    /**
     * Who is running this process, as {@code user@host}: operator actions (retry, cancel) are
     * recorded under this name, not under a worker's.
     */
    public static String operator() {
        return operator(System.getenv(), System.getProperty("user.name"));
    }

    static String operator(Map<String, String> env, String userName) {
        String user = userName == null || userName.isBlank() ? env.getOrDefault("USER", "") : userName;
        user = user.strip().replaceAll("[^A-Za-z0-9._-]", "-");
        return (user.isEmpty() ? "unknown" : user) + "@" + hostName(env);
    }

    /** This machine's short host name. */
    public static String hostName() {
        return hostName(System.getenv());
    }

    /**
     * The short host name. Tried in an order that never waits on DNS first: {@code HOSTNAME},
     * {@code COMPUTERNAME} (Windows), the Linux kernel's name, and only then the resolver.
     */
    static String hostName(Map<String, String> env) {
        for (String var : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                return clean(v);
            }
        }
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                return clean(Files.readString(kernel));
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the resolver
        }
        try {
            return clean(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String clean(String host) {
        String h = host.strip();
        int dot = h.indexOf('.');
        h = (dot > 0 ? h.substring(0, dot) : h).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return h.isEmpty() ? "localhost" : h;
    }
}
