package io.nebula.worker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder between the worker and PostgreSQL that a test can cut: {@link #cut()} closes
 * every open connection and refuses new ones (the database looks unreachable), {@link #restore()}
 * lets connections through again. {@link #freeze()} keeps every connection open but forwards
 * nothing, as a network partition or a hung server does: calls wait for their socket timeouts
 * instead of failing; {@link #thaw()} lets the held bytes through. The real database is never
 * stopped, so other tests are not affected.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object thawed = new Object();
    private volatile boolean cut;
    private volatile boolean frozen;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this("127.0.0.1", targetHost, targetPort);
    }

    /** A forwarder listening on a free port of {@code bindHost} (an address of this host). */
    public TcpProxy(String bindHost, String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(bindHost, 0), 200);
        Thread.ofPlatform().daemon().name("tcp-proxy-accept").start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                awaitThawed();
                if (cut) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(targetHost, targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                open.add(client);
                open.add(upstream);
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    awaitThawed();
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        });
    }

    /** Drops every connection and refuses new ones. */
    public void cut() {
        cut = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    public void restore() {
        cut = false;
    }

    /** Holds every byte and every new connection until {@link #thaw()}; closes nothing. */
    public void freeze() {
        frozen = true;
    }

    public void thaw() {
        synchronized (thawed) {
            frozen = false;
            thawed.notifyAll();
        }
    }

    private void awaitThawed() {
        synchronized (thawed) {
            while (frozen && !closed) {
                try {
                    thawed.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thaw();
        cut();
        server.close();
    }
}
