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
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The listener's sockets answer pgjdbc's one-millisecond pending-message check at once when
 * nothing is pending, and otherwise read as plain sockets do; the listener's connection uses them
 * unless the configuration names a socket factory of its own.
 */
class ListenSocketFactoryTest {

    @Test
    void thePendingCheckFailsAtOnceWhenNothingIsPendingAndTheSocketStaysUsable() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new ListenSocketFactory()
                        .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket peer = server.accept()) {
            assertThat(client).isInstanceOf(ListenSocketFactory.ListenSocket.class);
            InputStream in = client.getInputStream();
            OutputStream out = peer.getOutputStream();

            client.setSoTimeout(ListenSocketFactory.PENDING_CHECK_TIMEOUT_MS);
            assertThatThrownBy(() -> in.read(new byte[8], 0, 8)).isInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);

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
    void underTheCheckTimeoutNothingPendingIsAnsweredWithoutAWaitingRead() throws Exception {
        int[] timeout = {ListenSocketFactory.PENDING_CHECK_TIMEOUT_MS};
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
        InputStream in = new ListenSocketFactory.PendingCheckInput(socketLike, () -> timeout[0]);

        assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
        assertThatThrownBy(() -> in.read(new byte[4], 0, 4)).isInstanceOf(SocketTimeoutException.class);
        assertThat(reads[0]).as("reads that would have waited").isZero();

        timeout[0] = 30_000;
        assertThat(in.read()).isEqualTo(42);
        timeout[0] = ListenSocketFactory.PENDING_CHECK_TIMEOUT_MS;
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
