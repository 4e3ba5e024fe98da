package io.nebula.worker.faults;

import io.nebula.worker.faults.History.Event;
import io.nebula.worker.faults.History.WorkerRecord;
import io.nebula.worker.testing.WorkerLog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The maintenance leader's terms as the database records them (a term is a holder and the
 * database time it was elected; the row is polled every 50 ms, and a term lasts at least one
 * leader lease), and the judge of "never two leaders acting in the same term": every rescue in the
 * history (stamped with the database clock) falls in some term, and the executions each process
 * logged as rescued are exactly those rescued during its own terms. A rescue by a process whose
 * term had ended (a statement delayed by a partition) would be counted in another holder's term
 * and logged by a process that did not hold it, and the two tallies would disagree.
 */
final class LeaderTerms implements AutoCloseable {
    private static final Pattern RESCUED =
            Pattern.compile("requeued=(\\d+) failed=(\\d+) quarantined=(\\d+) cancelled=(\\d+)");

    /** One term: who held the lease, elected when (database clock). */
    record Term(String holder, Instant electedAt) {}

    private final TestStore store;
    private final List<Term> terms = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;

    private LeaderTerms(TestStore store) {
        this.store = store;
        this.poller = Thread.ofPlatform().daemon().name("leader-terms").start(this::poll);
    }

    /** Starts watching the {@code maintenance} lease of {@code store}. */
    static LeaderTerms watch(TestStore store) {
        return new LeaderTerms(store);
    }

    private void poll() {
        try (Connection c = store.connect();
                Statement st = c.createStatement()) {
            while (running) {
                try (ResultSet rs =
                        st.executeQuery("SELECT holder, elected_at FROM leader WHERE name = 'maintenance'")) {
                    if (rs.next()) {
                        Term t = new Term(rs.getString(1), rs.getTimestamp(2).toInstant());
                        if (terms.isEmpty() || !terms.getLast().equals(t)) {
                            terms.add(t);
                        }
                    }
                }
                Thread.sleep(50); // the sampling period of the watch, not a synchronisation
            }
        } catch (SQLException | RuntimeException e) {
            errors.add(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<Term> terms() {
        return List.copyOf(terms);
    }

    /** The holder of the term in force at {@code t}, or null before the first term. */
    String holderAt(Instant t) {
        String holder = null;
        for (Term term : terms) {
            if (term.electedAt().isAfter(t)) {
                break;
            }
            holder = term.holder();
        }
        return holder;
    }

    /** The first term after {@code t} whose holder is not {@code holder}, if any. */
    Term firstOtherAfter(Instant t, String holder) {
        return terms.stream()
                .filter(x -> !x.electedAt().isBefore(t) && !x.holder().equals(holder))
                .findFirst()
                .orElse(null);
    }

    /** Problems with who acted when: rescues outside every term, or tallies that disagree. */
    List<String> problems(History h) {
        List<String> out = new ArrayList<>();
        errors.forEach(e -> out.add("watching the leader failed: " + e));
        Map<String, Long> byTerm = new TreeMap<>();
        for (List<Event> events : h.events().values()) {
            for (Event e : events) {
                if (e.detail() == null || !e.detail().contains("lease expired at ")) {
                    continue;
                }
                String holder = holderAt(e.at());
                if (holder == null) {
                    out.add("execution " + e.executionId() + " was rescued at " + e.at() + ", before any term");
                } else {
                    byTerm.merge(holder, 1L, Long::sum);
                }
            }
        }
        Map<String, Long> logged = new TreeMap<>();
        for (WorkerRecord w : h.workers()) {
            long n = rescuedLogged(w.log());
            if (n > 0) {
                logged.merge(w.instanceId(), n, Long::sum);
            }
        }
        if (!Objects.equals(byTerm, logged)) {
            out.add("rescues by the holder of the term they fell in " + byTerm + " differ from the rescues each"
                    + " process logged " + logged + " (terms " + terms + ")");
        }
        return out;
    }

    /** Executions a process logged as rescued. */
    static long rescuedLogged(WorkerLog log) {
        long n = 0;
        for (WorkerLog.Entry e : log.select(x -> x.msg().startsWith("rescued expired leases"))) {
            Matcher m = RESCUED.matcher(e.msg());
            if (m.find()) {
                for (int g = 1; g <= 4; g++) {
                    n += Long.parseLong(m.group(g));
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        running = false;
        try {
            poller.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
