package io.nebula.worker.queue.postgres;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.net.SocketFactory;

/**
 * Sockets for the wake-up listener's connection (pgjdbc's {@code socketFactory} property), with
 * which a notification reaches the worker as soon as it arrives.
 *
 * <p>After pgjdbc reads a notification it asks whether another message is pending by setting a
 * one-millisecond socket timeout and reading; when nothing is pending, that read waits the whole
 * millisecond, so every notification was handed over a millisecond late (an idle worker's whole
 * submit-to-start is about three). On these sockets the first read after the timeout is set to one
 * millisecond fails with {@link SocketTimeoutException} at once when no byte is in the kernel's
 * receive buffer, which is what the timed-out read would have answered; any other read, or one
 * with bytes pending, is the plain socket's. Only the first: a reader that retries timed-out reads
 * (pgjdbc's GSS-encrypted stream does when no socket timeout is configured) waits out the
 * millisecond from its second read on instead of spinning. A message that arrives just after the
 * check is read by the next wait.
 *
 * <p>pgjdbc creates the factory by its class name, so it is public with a public constructor.
 */
public final class ListenSocketFactory extends SocketFactory {
    /** The timeout pgjdbc sets to ask whether a message is pending. */
    static final int PENDING_CHECK_TIMEOUT_MS = 1;

    /** A public no-argument constructor, for pgjdbc. */
    public ListenSocketFactory() {}

    @Override
    public Socket createSocket() {
        return new ListenSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket s = new ListenSocket();
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A plain TCP socket whose pending-message check does not wait when nothing is pending. */
    static final class ListenSocket extends Socket {
        /** Set when the timeout becomes the pending check's, taken by the first read after. */
        private final AtomicBoolean checkArmed = new AtomicBoolean();

        private InputStream in;

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            super.setSoTimeout(timeout);
            checkArmed.set(timeout == PENDING_CHECK_TIMEOUT_MS);
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new PendingCheckInput(super.getInputStream(), () -> checkArmed.getAndSet(false));
            }
            return in;
        }
    }

    /**
     * A socket's input that fails a read at once when {@code takeCheck} answers true (the first
     * read since the pending-check timeout was set) and {@code available()} reports nothing
     * received, and reads every other time.
     */
    static final class PendingCheckInput extends FilterInputStream {
        private final BooleanSupplier takeCheck;

        PendingCheckInput(InputStream plain, BooleanSupplier takeCheck) {
            super(plain);
            this.takeCheck = takeCheck;
        }

        @Override
        public int read() throws IOException {
            failIfNothingPending();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            failIfNothingPending();
            return super.read(b, off, len);
        }

        private void failIfNothingPending() throws IOException {
            if (takeCheck.getAsBoolean() && super.available() == 0) {
                throw new SocketTimeoutException("no message pending");
            }
        }
    }
}
