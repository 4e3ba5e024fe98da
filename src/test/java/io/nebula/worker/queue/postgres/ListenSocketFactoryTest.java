package io.nebula.worker.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.queue.StoreOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The listener's sockets answer pgjdbc's one-millisecond pending-message check at once when
 * nothing is pending, and otherwise read as plain sockets do; the listener's connection uses them
 * unless the configuration names a socket factory of its own.
 */
class ListenSocketFactoryTest {
    private static final String NOTHING_PENDING = "no message pending";

    @Test
    void thePendingCheckFailsAtOnceWhenNothingIsPendingAndTheSocketStaysUsable() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new ListenSocketFactory()
                        .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket peer = server.accept()) {
            assertThat(client).isInstanceOf(ListenSocketFactory.ListenSocket.class);
            InputStream in = client.getInputStream();
            assertThat(in).isInstanceOf(ListenSocketFactory.PendingCheckInput.class);
            OutputStream out = peer.getOutputStream();

            client.setSoTimeout(ListenSocketFactory.PENDING_CHECK_TIMEOUT_MS);
            assertThatThrownBy(() -> in.read(new byte[8], 0, 8))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage(NOTHING_PENDING);
            // Only the first read after the timeout was set answers at once; a retry is the plain
            // socket's timed read.
            assertThatThrownBy(in::read)
                    .isInstanceOf(SocketTimeoutException.class)
                    .satisfies(e -> assertThat(e.getMessage()).isNotEqualTo(NOTHING_PENDING));

            // Under any other timeout a read waits for the byte, and nothing was consumed above.
            out.write(new byte[] {7, 8});
            out.flush();
            client.setSoTimeout(10_000);
            assertThat(in.read()).isEqualTo(7);

            // A byte already received is read under the check's timeout too.
            client.setSoTimeout(ListenSocketFactory.PENDING_CHECK_TIMEOUT_MS);
            assertThat(in.read()).isEqualTo(8);
            assertThat(client.getInputStream()).isSameAs(in);
        }
    }

    @Test
    void aTimeoutSetOnATlsSocketLayeredOverItArmsTheCheck() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket plain = new ListenSocketFactory()
                        .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket peer = server.accept()) {
            // What pgjdbc does for sslmode=prefer/require: TLS over the factory's socket, and its
            // later timeouts are set on the TLS socket.
            try (SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(plain, "127.0.0.1", server.getLocalPort(), false)) {
                tls.setSoTimeout(ListenSocketFactory.PENDING_CHECK_TIMEOUT_MS);
                assertThatThrownBy(() -> plain.getInputStream().read())
                        .isInstanceOf(SocketTimeoutException.class)
                        .hasMessage(NOTHING_PENDING);
            }
            // The check consumed nothing: the socket still reads what the peer sends.
            peer.getOutputStream().write(5);
            peer.getOutputStream().flush();
            plain.setSoTimeout(10_000);
            assertThat(plain.getInputStream().read()).isEqualTo(5);
        }
    }

    @Test
    void underTheCheckTimeoutNothingPendingIsAnsweredWithoutAWaitingRead() throws Exception {
        boolean[] armed = {true};
        int[] reads = {0};
        InputStream socketLike = new InputStream() {
            private int pending;

            @Override
            public int available() {
                return pending;
            }

            @Override
            public int read() {
                reads[0]++;
                if (pending == 0) {
                    pending = 1; // what a blocking read would have waited for
                    return 42;
                }
                pending--;
                return 43;
            }
        };
        InputStream in = new ListenSocketFactory.PendingCheckInput(socketLike, () -> {
            boolean a = armed[0];
            armed[0] = false;
            return a;
        });

        assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        assertThat(reads[0]).as("reads that would have waited").isZero();

        armed[0] = true;
        assertThatThrownBy(() -> in.read(new byte[4], 0, 4)).isInstanceOf(SocketTimeoutException.class);
        assertThat(reads[0]).as("reads that would have waited").isZero();

        assertThat(in.read()).as("a read not armed reads").isEqualTo(42);
        armed[0] = true;
        assertThat(in.read()).as("a pending byte is read under the check").isEqualTo(43);
        assertThat(reads[0]).isEqualTo(2);
    }

    @Test
    void theListenerConnectionUsesTheFactoryUnlessTheConfigurationNamesOne() {
        PostgresDatabase plain = new PostgresDatabase(
                PostgresTestDatabase.URL, PostgresTestDatabase.properties(), StoreOptions.defaults("listen-test"));
        Properties own = PostgresTestDatabase.properties();
        own.setProperty("socketFactory", "com.example.TheirSocketFactory");
        PostgresDatabase configured =
                new PostgresDatabase(PostgresTestDatabase.URL, own, StoreOptions.defaults("listen-test"));
        try {
            assertThat(plain.listenerProperties().getProperty("socketFactory"))
                    .isEqualTo(ListenSocketFactory.class.getName());
            assertThat(plain.propertiesFor("pool").getProperty("socketFactory")).isNull();
            assertThat(configured.listenerProperties().getProperty("socketFactory"))
                    .isEqualTo("com.example.TheirSocketFactory");
        } finally {
            plain.close();
            configured.close();
        }
    }

    @Test
    void aNotificationReachesTheListenerConnection() throws Exception {
        PostgresTestDatabase.require();
        PostgresDatabase db = new PostgresDatabase(
                PostgresTestDatabase.URL, PostgresTestDatabase.properties(), StoreOptions.defaults("listen-test"));
        try (Connection listening = db.openListener();
                Connection sending = PostgresTestDatabase.connect()) {
            try (Statement st = listening.createStatement()) {
                st.execute("LISTEN listen_socket_test");
            }
            try (Statement st = sending.createStatement()) {
                st.execute("NOTIFY listen_socket_test, 'first'");
                st.execute("NOTIFY listen_socket_test, 'second'");
            }
            PGConnection pg = listening.unwrap(PGConnection.class);
            java.util.List<String> got = new java.util.ArrayList<>();
            while (got.size() < 2) {
                PGNotification[] ns = pg.getNotifications(10_000);
                assertThat(ns).as("notifications within 10 s").isNotEmpty();
                for (PGNotification n : ns) {
                    got.add(n.getParameter());
                }
            }
            assertThat(got).containsExactly("first", "second");
            try (Statement st = listening.createStatement()) {
                assertThat(st.execute("SELECT 1")).isTrue();
            }
        } finally {
            db.close();
        }
    }
}
