package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.NetworkHosts;
import io.nebula.worker.testing.NetworkHosts.Host;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The namespace harness itself: hosts reach the database, a cut isolates one host only, and nothing is left. */
@Tag("process")
class NetworkHostsTest {
    @Test
    void hostsReachTheDatabaseUntilCutAgainWhenHealedAndLeaveNothingBehind() {
        PostgresTestDatabase.require();
        NetworkHosts net = NetworkHosts.create(2, "127.0.0.1", 5432);
        try (net) {
            Host a = net.host(0);
            Host b = net.host(1);
            assertThat(net.leftovers()).as("what the harness created").hasSize(2 + 3 + 1);
            assertThat(net.reachesDatabase(a)).isTrue();
            assertThat(net.reachesDatabase(b)).isTrue();

            net.cut(a);
            assertThat(net.reachesDatabase(a)).as("cut host").isFalse();
            assertThat(net.reachesDatabase(b)).as("the other host").isTrue();

            net.heal(a);
            assertThat(net.reachesDatabase(a)).as("healed host").isTrue();
        }
        assertThat(net.leftovers()).isEmpty();
    }
}
