package io.nebula.worker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.nebula.worker.queue.ExecutionView;
import io.nebula.worker.queue.PostgresTestDatabase;
import io.nebula.worker.testing.NetworkHosts;
import io.nebula.worker.testing.NetworkHosts.Host;
import io.nebula.worker.testing.WorkerLauncher;
import io.nebula.worker.testing.WorkerLog;
import io.nebula.worker.testing.WorkerProcess;
import io.nebula.worker.testing.WorkerSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fault suite, network partitions: every worker on a host of its own (a network namespace, see
 * {@link NetworkHosts}) reaching PostgreSQL over a bridge, and one host's packets dropped for a
 * while, as a real partition does (nothing is refused; connections hang). Judged by the {@link
 * HistoryChecker} and by {@link LeaderTerms} (never two leaders acting in the same term), plus each
 * scenario's own bounds.
 */
@Tag("fault")
class PartitionFaultTest {
    /** How long the link of one of four hosts flaps; {@code -Dnebula.partition.flapSeconds}. */
    private static final int FLAP_SECONDS = Integer.getInteger("nebula.partition.flapSeconds", 24);

    /** A run whose workers each live on a host of their own. */
    private record Hosts(NetworkHosts net, FaultRun run, Map<String, Host> hostOf, String[] names)
            implements AutoCloseable {
        static Hosts create(String scenario, int n, WorkerSettings settings) {
            PostgresTestDatabase.require();
            NetworkHosts net = NetworkHosts.create(n, "127.0.0.1", 5432);
            try {
                Map<String, Host> hostOf = new ConcurrentHashMap<>();
                FaultRun run = FaultRun.postgresVia(
                        scenario,
                        settings,
                        net.jdbcUrl("test") + "?user=" + PostgresTestDatabase.USER,
                        net.jdbcUrl("test"),
                        (dir, env) -> new WorkerLauncher(dir, env, name -> net.inside(hostOf.get(name))));
                String[] names = run.names(n);
                for (int i = 0; i < n; i++) {
                    hostOf.put(names[i], net.host(i));
                }
                System.out.println("partition run " + scenario + " on " + net);
                return new Hosts(net, run, hostOf, names);
            } catch (RuntimeException | Error e) {
                net.close();
                throw e;
            }
        }

        /** Starts one worker per host, its health server on the host's address, and waits until all are ready. */
        List<WorkerProcess> startAll() {
            List<WorkerProcess> out = new ArrayList<>();
            for (String name : names) {
                out.add(run.fleet()
                        .launch(
                                name,
                                run.fleet()
                                        .settings()
                                        .with("health.bind", hostOf.get(name).address()),
                                Map.of()));
            }
            out.forEach(w -> w.awaitReady(Fleet.READY));
            return out;
        }

        Host host(WorkerProcess w) {
            return hostOf.get(w.name());
        }

        @Override
        public void close() {
            try {
                run.close();
            } finally {
                net.close();
            }
        }
    }

    private static Duration maintenance(WorkerSettings s) {
        return FaultBounds.visibility(s).dividedBy(5);
    }

    private static Duration leaderLease(WorkerSettings s) {
        return maintenance(s).multipliedBy(3).plusSeconds(1);
    }

    /** The running executions {@code w} holds, waiting until it holds at least one. */
    private static List<Long> awaitHolding(FaultRun run, WorkerProcess w) {
        List<List<Long>> held = new ArrayList<>();
        Awaitility.await(w + " holding executions")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    List<Long> h = ProcessPoolContract.heldBy(run, w);
                    held.clear();
                    held.add(h);
                    return h.size() >= 2;
                });
        return held.get(0);
    }

    /** Waits until no execution of {@code ids} is still running under {@code w}'s lease. */
    private static void awaitTakenOver(FaultRun run, WorkerProcess w, List<Long> ids, Duration max) {
        Awaitility.await("executions of " + w + " taken over")
                .atMost(max)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> ids.stream().allMatch(id -> {
                    ExecutionView v = ProcessPoolContract.view(run, id);
                    return !v.state().name().equals("RUNNING")
                            || !w.instanceId().equals(v.leaseOwner());
                }));
    }

    /** Claims by {@code w} after {@code since} (database clock). */
    private static long claimsAfter(FaultRun run, WorkerProcess w, Instant since) {
        try (Connection c = run.store().connect();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM execution_history"
                        + " WHERE event = 'claimed' AND worker_id = ? AND at > ?")) {
            ps.setString(1, w.instanceId());
            ps.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            return 0;
        }
    }

    /** Stale epochs of {@code w} it never logged as lost after {@code cutOffset}. */
    private static List<String> unreportedLosses(History h, WorkerProcess w, Instant cutAt, long cutOffset) {
        Set<String> stale = PauseCheck.staleEpochs(h, w.instanceId(), cutAt, Instant.MAX);
        Set<String> reported = new HashSet<>();
        WorkerLog log = w.log().after(cutOffset);
        for (WorkerLog.Entry e : log.messages("lease lost")) {
            reported.add(e.number("execution_id") + "/" + e.number("lease_epoch"));
        }
        List<String> out = new ArrayList<>();
        for (String epoch : stale) {
            if (!reported.contains(epoch)) {
                out.add("never reported the lease of " + epoch + " lost");
            }
        }
        assertThat(stale).as("epochs %s held when cut off and rescued", w).isNotEmpty();
        return out;
    }

    private static CheckReport judge(FaultRun run, LeaderTerms terms) {
        run.fleet().stopAll();
        terms.close();
        CheckReport report = run.check(FaultBounds.MARGIN);
        assertThat(report.allValid()).as(report.render()).isTrue();
        assertThat(terms.problems(run.history())).as("leader terms").isEmpty();
        return report;
    }

    /**
     * Starts every worker, submits a mixed load, waits for a maintenance leader and returns the
     * leader ({@code leader} true) or a worker that is not the leader.
     */
    private static WorkerProcess startAndPick(Hosts x, boolean leader) {
        FaultRun run = x.run();
        List<WorkerProcess> workers = x.startAll();
        run.workload().submitMixed(300, 30);
        Awaitility.await("a maintenance leader")
                .atMost(Duration.ofSeconds(30))
                .until(() -> run.store().store().leaderGet("maintenance").isPresent());
        String id = run.store().store().leaderGet("maintenance").orElseThrow();
        return workers.stream()
                .filter(w -> w.instanceId().equals(id) == leader)
                .findFirst()
                .orElseThrow();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aWorkerCutOffPastItsLeaseIsTakenOverWritesNothingStaleAndGoesBackToWork() {
        WorkerSettings s = FaultBounds.settings();
        try (Hosts x = Hosts.create("partition-worker", 3, s);
                LeaderTerms terms = LeaderTerms.watch(x.run().store())) {
            FaultRun run = x.run();
            WorkerProcess victim = startAndPick(x, false);
            List<Long> held = awaitHolding(run, victim);

            long cutOffset = victim.logSize();
            Instant cutAt = run.store().recordFault("partition", victim.instanceId(), "cut " + x.host(victim));
            x.net().cut(x.host(victim));
            Duration bound = FaultBounds.visibility(s)
                    .plus(maintenance(s))
                    .plus(FaultBounds.poll(s))
                    .plus(FaultBounds.MARGIN);
            awaitTakenOver(run, victim, held, bound.plusSeconds(10));
            Instant healAt = run.store().recordFault("heal", victim.instanceId(), "heal " + x.host(victim));
            x.net().heal(x.host(victim));
            Duration cut = Duration.between(cutAt, healAt);

            run.workload().submit(FaultWorkflows.QUICK, Collections.nCopies(150, "{}"));
            Awaitility.await(victim + " claiming again after the heal")
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> claimsAfter(run, victim, healAt) > 0);
            run.workload().awaitDrained(Duration.ofMinutes(2));
            judge(run, terms);

            List<Duration> takeovers = FaultBounds.takeovers(run.history(), "partition");
            List<String> unreported = unreportedLosses(run.history(), victim, cutAt, cutOffset);
            run.note("partition of a worker: cut " + cut.toMillis() + " ms, " + takeovers.size()
                    + " of its executions claimed by others at most "
                    + FaultBounds.max(takeovers).toMillis()
                    + " ms after the cut (bound " + bound.toMillis() + " ms); it claimed "
                    + claimsAfter(run, victim, healAt) + " executions after the heal");
            assertThat(takeovers).isNotEmpty().allMatch(d -> d.compareTo(bound) <= 0);
            assertThat(unreported).isEmpty();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void theMaintenanceLeaderCutOffIsReplacedWithinOneLeaderLeaseAndNeverActsInTheNextTerm() {
        WorkerSettings s = FaultBounds.settings();
        try (Hosts x = Hosts.create("partition-leader", 3, s);
                LeaderTerms terms = LeaderTerms.watch(x.run().store())) {
            FaultRun run = x.run();
            WorkerProcess victim = startAndPick(x, true);
            List<Long> held = awaitHolding(run, victim);

            long cutOffset = victim.logSize();
            Instant cutAt = run.store().recordFault("partition", victim.instanceId(), "cut leader " + x.host(victim));
            x.net().cut(x.host(victim));
            Duration electionBound = leaderLease(s).plus(maintenance(s)).plus(FaultBounds.MARGIN);
            Awaitility.await("another maintenance leader")
                    .atMost(electionBound.plusSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> terms.firstOtherAfter(cutAt, victim.instanceId()) != null);
            LeaderTerms.Term next = terms.firstOtherAfter(cutAt, victim.instanceId());
            Duration election = Duration.between(cutAt, next.electedAt());
            Duration takeoverBound = FaultBounds.takeover(s);
            awaitTakenOver(run, victim, held, takeoverBound.plusSeconds(10));
            Instant healAt = run.store().recordFault("heal", victim.instanceId(), "heal " + x.host(victim));
            x.net().heal(x.host(victim));

            Awaitility.await(victim + " giving up the lead")
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !victim.log()
                            .after(cutOffset)
                            .messages("no longer maintenance leader")
                            .isEmpty());
            run.workload().submit(FaultWorkflows.QUICK, Collections.nCopies(100, "{}"));
            run.workload().awaitDrained(Duration.ofMinutes(2));
            judge(run, terms);

            List<Duration> takeovers = FaultBounds.takeovers(run.history(), "partition");
            List<String> unreported = unreportedLosses(run.history(), victim, cutAt, cutOffset);
            long rescuedByNext = LeaderTerms.rescuedLogged(run.fleet().records().stream()
                    .filter(r -> r.instanceId().equals(next.holder()))
                    .findFirst()
                    .orElseThrow()
                    .log());
            run.note("partition of the leader: next leader elected " + election.toMillis()
                    + " ms after the cut (bound " + electionBound.toMillis() + " ms), rescued " + rescuedByNext
                    + " executions; the old leader's " + takeovers.size() + " executions claimed again at most "
                    + FaultBounds.max(takeovers).toMillis() + " ms after the cut (bound " + takeoverBound.toMillis()
                    + " ms); healed after " + Duration.between(cutAt, healAt).toMillis() + " ms; terms "
                    + terms.terms().size());
            assertThat(election).isLessThanOrEqualTo(electionBound);
            assertThat(takeovers).isNotEmpty().allMatch(d -> d.compareTo(takeoverBound) <= 0);
            assertThat(unreported).isEmpty();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aFlappingLinkOnOneOfFourHostsLosesNothingAndSucceedsNothingTwice() throws InterruptedException {
        WorkerSettings s = FaultBounds.settings();
        try (Hosts x = Hosts.create("partition-flap", 4, s);
                LeaderTerms terms = LeaderTerms.watch(x.run().store())) {
            FaultRun run = x.run();
            List<WorkerProcess> workers = x.startAll();
            WorkerProcess flapper = workers.get(3);
            Host host = x.host(flapper);
            Random random = new Random(run.seed());
            run.workload().submitMixed(900, 20);
            Instant end = Instant.now().plusSeconds(FLAP_SECONDS);
            int flaps = 0;
            while (Instant.now().isBefore(end)) {
                run.store().recordFault("link down", flapper.instanceId(), host.toString());
                x.net().cut(host);
                Thread.sleep(1000 + random.nextInt(3000)); // the fault's schedule, not a synchronisation
                run.store().recordFault("link up", flapper.instanceId(), host.toString());
                x.net().heal(host);
                flaps++;
                Thread.sleep(1000 + random.nextInt(2000)); // the fault's schedule, not a synchronisation
            }
            run.workload().awaitDrained(Duration.ofMinutes(3));
            assertThat(flapper.alive())
                    .as("the flapping host's worker is still running")
                    .isTrue();
            CheckReport report = judge(run, terms);

            long succeededByFlapper = run.history().events().values().stream()
                    .flatMap(List::stream)
                    .filter(e -> e.event().equals("succeeded")
                            && flapper.instanceId().equals(e.workerId()))
                    .count();
            long rescuedFromFlapper = run.history().events().values().stream()
                    .flatMap(List::stream)
                    .filter(e -> e.event().equals("rescued") && FaultBounds.heldBy(e, flapper.instanceId()))
                    .count();
            run.note("flapping link: " + flaps + " cuts of 1-4 s over " + FLAP_SECONDS + " s; the flapping worker"
                    + " succeeded " + succeededByFlapper + " executions and lost " + rescuedFromFlapper
                    + " to rescues; lost "
                    + (report.verdict(1).count("missing") + report.verdict(1).count("not_terminal"))
                    + ", double successes " + report.verdict(2).count("double_success"));
            assertThat(run.history().executions()).hasSize(900);
            // The scenario exercised the flapping worker: it held executions, whether it finished
            // some between cuts or its connections stayed stalled across them until its leases
            // were rescued (both seen; the checks above hold either way).
            assertThat(succeededByFlapper + rescuedFromFlapper)
                    .as("the flapping worker held executions")
                    .isPositive();
        }
    }
}
