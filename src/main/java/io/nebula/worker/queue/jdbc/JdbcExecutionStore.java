package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.InspectionStore;
import io.nebula.worker.queue.Installation;
import io.nebula.worker.queue.LeaseStore;
import io.nebula.worker.queue.MaintenanceStore;
import io.nebula.worker.queue.OperatorStore;
import io.nebula.worker.queue.ScheduleStore;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.StoreOptions;
import io.nebula.worker.queue.SubmissionStore;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What both dialects share: the schema, and one part per role of the store, each a statement
 * class that binds named parameters to the dialect's SQL file of the same name and maps rows back
 * ({@link LeaseStatements} the hot path, {@link SubmitStatements} definitions and submits, {@link
 * MaintenanceStatements} maintenance and the registry, {@link InspectionStatements} reads, {@link
 * OperatorStatements} operator writes, {@link ScheduleStatements} schedules). The subclasses supply
 * connections ({@link Database}), the insert of a submit and wake-ups ({@link Enqueuing}, through
 * the hooks below).
 */
public abstract class JdbcExecutionStore implements ExecutionStore {
    /**
     * The {@code due_queue} an ending statement returns for an execution whose end may have made a
     * parent due in a queue it cannot name (a child's end, on a dialect whose trigger cannot say):
     * not a valid queue name.
     */
    protected static final String ANY_QUEUE = "*";

    protected final Database db;
    protected final StoreOptions options;
    private final Migrator migrator;
    private final LeaseStatements leases;
    private final SubmitStatements submissions;
    private final MaintenanceStatements maintenance;
    private final InspectionStatements inspection;
    private final OperatorStatements operator;
    private final ScheduleStatements schedules;

    protected JdbcExecutionStore(Database db, StoreOptions options) {
        this.db = db;
        this.options = options;
        this.migrator = new Migrator(db, options.schema());
        Enqueuing enqueuing = new Enqueuing() {
            @Override
            public List<Submitted> insertExecutions(Session s, List<SubmitRequest> requests, boolean later)
                    throws SQLException {
                return JdbcExecutionStore.this.insertExecutions(s, requests, later);
            }

            @Override
            public void announce(Session s, Set<String> queues) throws SQLException {
                JdbcExecutionStore.this.announce(s, queues);
            }

            @Override
            public boolean announcesOnInsert() {
                return JdbcExecutionStore.this.announcesOnInsert();
            }

            @Override
            public void afterCommit(Set<String> queues) {
                JdbcExecutionStore.this.afterCommit(queues);
            }

            @Override
            public void afterInsertCommitted(Set<String> queues) {
                JdbcExecutionStore.this.afterInsertCommitted(queues);
            }
        };
        SignalStatements signals = new SignalStatements(db);
        this.leases = new LeaseStatements(
                db, succeedLeavesCancelledNodes(), claimsLimitedQueuesApart(), this::afterEndsMadeDue);
        this.submissions = new SubmitStatements(db, options.maxInputBytes(), options.maxInputValues(), enqueuing);
        this.inspection = new InspectionStatements(db, signals);
        this.maintenance = new MaintenanceStatements(db, inspection);
        this.operator =
                new OperatorStatements(db, options.maxInputBytes(), options.maxInputValues(), enqueuing, signals);
        this.schedules = new ScheduleStatements(db, options.maxInputBytes(), options.maxInputValues(), enqueuing);
    }

    /**
     * Inserts the executions of one submit (already validated and de-duplicated by key) and returns,
     * per request, its id and whether it was created. With {@code later}, {@link
     * #afterInsertCommitted} follows the commit (see {@link Enqueuing#insertExecutions}).
     */
    protected abstract List<Submitted> insertExecutions(Session s, List<SubmitRequest> requests, boolean later)
            throws SQLException;

    /** Wakes claimers of these queues once the current transaction commits. */
    protected abstract void announce(Session s, Set<String> queues) throws SQLException;

    /**
     * Whether {@link #insertExecutions} already wakes claimers in other processes, so a submit
     * needs no {@link #announce} and, being one statement, no transaction of its own.
     */
    protected boolean announcesOnInsert() {
        return false;
    }

    /** Called after a transaction that made executions due committed (in-process wake-ups). */
    protected void afterCommit(Set<String> queues) {}

    /**
     * Called after a submit's transaction committed, when {@link #insertExecutions} was told {@code
     * later}; wakes in-process claimers unless the dialect does more.
     */
    protected void afterInsertCommitted(Set<String> queues) {
        afterCommit(queues);
    }

    /**
     * Called after a batch of attempt ends commits that made executions of {@code queues} due at
     * once ({@link #ANY_QUEUE}: of any queue): a parent whose child ended, or whose release for
     * children found a child ended while it ran. Only where the dialect's ending statements report
     * it (a {@code due_queue} column); PostgreSQL's statements NOTIFY those queues themselves.
     */
    protected void afterEndsMadeDue(Set<String> queues) {}

    /**
     * Whether this dialect's {@code execution_succeed} leaves the node results of attempts whose
     * cancel won to {@code execution_succeed_cancelled_nodes}, run after it in the same transaction.
     * Called from the constructor.
     */
    protected boolean succeedLeavesCancelledNodes() {
        return false;
    }

    /**
     * Whether this dialect's {@code execution_claim} leaves the queues' limits on running
     * executions to the caller, which then reads {@code queue_room}, picks candidates and claims
     * them by id in the claim's write transaction; otherwise the claim statement keeps them.
     * Called from the constructor.
     */
    protected boolean claimsLimitedQueuesApart() {
        return false;
    }

    // ---- the parts -------------------------------------------------------------------------

    @Override
    public final LeaseStore leases() {
        return leases;
    }

    @Override
    public final SubmissionStore submissions() {
        return submissions;
    }

    @Override
    public final MaintenanceStore maintenance() {
        return maintenance;
    }

    @Override
    public final InspectionStore inspection() {
        return inspection;
    }

    @Override
    public final OperatorStore operator() {
        return operator;
    }

    @Override
    public final ScheduleStore schedules() {
        return schedules;
    }

    // ---- schema ----------------------------------------------------------------------------

    @Override
    public int migrate() {
        return migrator.migrate();
    }

    @Override
    public SchemaStatus schemaStatus() {
        return migrator.status();
    }

    @Override
    public Installation installation() {
        List<Row> rows = db.run("installation_get", Mode.READ, true, s -> s.query("installation_get", Params.of()));
        if (rows.isEmpty()) {
            throw new StoreException(
                    "the store has no installation id: its schema predates it (run `nebula-worker migrate`)");
        }
        return new Installation(rows.get(0).string("id"), rows.get(0).getLong("keys_from"));
    }

    /** The array parameters of a submit, shared by both dialects' SQL. */
    protected static Params submitParams(List<SubmitRequest> requests) {
        int n = requests.size();
        List<String> queues = new ArrayList<>(n);
        List<String> hashes = new ArrayList<>(n);
        List<String> names = new ArrayList<>(n);
        List<String> inputs = new ArrayList<>(n);
        List<Integer> priorities = new ArrayList<>(n);
        List<Long> delays = new ArrayList<>(n);
        List<Long> runAts = new ArrayList<>(n);
        List<Integer> maxAttempts = new ArrayList<>(n);
        List<String> keys = new ArrayList<>(n);
        List<String> traceparents = new ArrayList<>(n);
        for (SubmitRequest r : requests) {
            queues.add(r.queue());
            hashes.add(r.workflowHash());
            names.add(r.workflowName());
            inputs.add(r.inputJson());
            priorities.add(r.priority());
            delays.add(r.delay() == null ? null : r.delay().toMillis());
            runAts.add(r.runAt() == null ? null : r.runAt().toEpochMilli());
            maxAttempts.add(r.maxAttempts());
            keys.add(r.idempotencyKey());
            traceparents.add(r.traceparent());
        }
        return Params.of("queues", SqlArray.ofStrings(queues))
                .set("hashes", SqlArray.ofStrings(hashes))
                .set("names", SqlArray.ofStrings(names))
                .set("inputs", SqlArray.ofStrings(inputs))
                .set("priorities", SqlArray.ofInts(priorities))
                .set("delays_ms", SqlArray.ofLongs(delays))
                .set("run_ats_ms", SqlArray.ofLongs(runAts))
                .set("max_attempts", SqlArray.ofInts(maxAttempts))
                .set("keys", SqlArray.ofStrings(keys))
                .set("traceparents", SqlArray.ofStrings(traceparents));
    }

    /** Maps the rows of execution_submit (ord from 0, id, created) back to request order. */
    protected static List<Submitted> submitted(List<Row> rows, int n) {
        Submitted[] out = new Submitted[n];
        for (Row r : rows) {
            out[r.getInt("ord")] = new Submitted(r.getLong("id"), r.bool("created"));
        }
        for (int i = 0; i < n; i++) {
            if (out[i] == null) {
                throw new StoreException("execution_submit returned no id for request #" + (i + 1));
            }
        }
        return Arrays.asList(out);
    }

    @Override
    public void close() {
        db.close();
    }
}
