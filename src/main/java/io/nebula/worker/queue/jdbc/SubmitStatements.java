package io.nebula.worker.queue.jdbc;

import io.nebula.worker.queue.InputGuard;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.SubmissionStore;
import io.nebula.worker.queue.SubmitRequest;
import io.nebula.worker.queue.SubmitTransaction;
import io.nebula.worker.queue.Submitted;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.WorkflowVersion;
import io.nebula.worker.queue.jdbc.Database.Mode;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Definitions and submissions: definitions stored by content hash and deployed by name, and
 * executions inserted through the dialect's {@link Enqueuing} (validated first, repeated
 * idempotency keys of one batch answered from their first occurrence), on their own or inside a
 * caller's transaction.
 */
final class SubmitStatements implements SubmissionStore {
    private static final int STORED_WORKFLOWS_REMEMBERED = 10_000;

    private final Database db;
    private final long maxInputBytes;
    private final long maxInputValues;
    private final Enqueuing enqueuing;
    private final Set<String> storedWorkflows = ConcurrentHashMap.newKeySet();
    /** Submits of this store between their start and their commit (or failure). */
    private final java.util.concurrent.atomic.AtomicInteger submitting =
            new java.util.concurrent.atomic.AtomicInteger();

    SubmitStatements(Database db, long maxInputBytes, long maxInputValues, Enqueuing enqueuing) {
        this.db = db;
        this.maxInputBytes = maxInputBytes;
        this.maxInputValues = maxInputValues;
        this.enqueuing = enqueuing;
    }

    @Override
    public void workflowPut(WorkflowDocument document) {
        // Definitions are stored by content hash and never deleted, so one that this store has
        // stored (and committed) once needs no round trip again.
        if (storedWorkflows.contains(document.hash())) {
            return;
        }
        db.run("workflow_put", Mode.SINGLE, true, s -> putWorkflow(s, document));
        if (storedWorkflows.size() < STORED_WORKFLOWS_REMEMBERED) {
            storedWorkflows.add(document.hash());
        }
    }

    private static Void putWorkflow(Session s, WorkflowDocument d) throws SQLException {
        s.update(
                "workflow_put",
                Params.of("hash", d.hash()).set("name", d.name()).set("definition", d.definitionJson()));
        return null;
    }

    @Override
    public Optional<WorkflowDocument> workflowGet(String hash) {
        List<Row> rows = db.run("workflow_get", Mode.READ, true, s -> s.query("workflow_get", Params.of("hash", hash)));
        return rows.stream()
                .findFirst()
                .map(r -> new WorkflowDocument(r.string("hash"), r.string("name"), r.string("definition")));
    }

    @Override
    public WorkflowDeployed workflowDeploy(WorkflowDocument d) {
        return db.run("workflow_deploy", Mode.TRANSACTION, false, s -> {
            String previous = s.query("workflow_latest", Params.of("name", d.name())).stream()
                    .findFirst()
                    .map(r -> r.string("hash"))
                    .orElse(null);
            boolean known =
                    !s.query("workflow_get", Params.of("hash", d.hash())).isEmpty();
            Row r = s.query(
                            "workflow_deploy",
                            Params.of("hash", d.hash()).set("name", d.name()).set("definition", d.definitionJson()))
                    .get(0);
            return new WorkflowDeployed(version(r, 0), !known, previous);
        });
    }

    @Override
    public Optional<WorkflowDocument> workflowLatest(String name) {
        return db
                .run("workflow_latest", Mode.READ, true, s -> s.query("workflow_latest", Params.of("name", name)))
                .stream()
                .findFirst()
                .map(SubmitStatements::document);
    }

    @Override
    public List<WorkflowDocument> workflowFind(String name, String hashPrefix) {
        Params p = Params.of("name", name).set("prefix", hashPrefix);
        return db.run("workflow_find", Mode.READ, true, s -> s.query("workflow_find", p)).stream()
                .map(SubmitStatements::document)
                .toList();
    }

    @Override
    public List<WorkflowVersion> workflowVersions(String name) {
        return db
                .run("workflow_versions", Mode.READ, true, s -> s.query("workflow_versions", Params.of("name", name)))
                .stream()
                .map(r -> version(r, 0))
                .toList();
    }

    @Override
    public List<WorkflowVersion> workflowNames() {
        return db.run("workflow_names", Mode.READ, true, s -> s.query("workflow_names", Params.of())).stream()
                .map(r -> version(r, r.getInt("versions")))
                .toList();
    }

    private static WorkflowDocument document(Row r) {
        return new WorkflowDocument(r.string("hash"), r.string("name"), r.string("definition"));
    }

    private static WorkflowVersion version(Row r, int versions) {
        return new WorkflowVersion(
                r.string("name"), r.string("hash"), r.instant("created_at"), r.instant("deployed_at"), versions);
    }

    @Override
    public List<Submitted> executionSubmitMany(List<SubmitRequest> requests) {
        if (requests.isEmpty()) {
            return List.of();
        }
        validate(requests);
        Set<String> queues = queuesOf(requests);
        Mode mode = enqueuing.announcesOnInsert() ? Mode.SINGLE : Mode.TRANSACTION;
        // A submit that starts while another of this store's is running leaves its wake-up until
        // after its commit (see Enqueuing.insertExecutions): on PostgreSQL, submits that each
        // notified in their own transaction committed one at a time. A submit alone wakes claimers
        // from inside its transaction, which takes no extra round trip.
        boolean later = submitting.incrementAndGet() > 1;
        List<Submitted> result;
        try {
            result = db.run("execution_submit", mode, false, s -> submit(s, requests, queues, later));
        } finally {
            submitting.decrementAndGet();
        }
        if (result.stream().anyMatch(Submitted::created)) {
            if (later) {
                enqueuing.afterInsertCommitted(queues);
            } else {
                enqueuing.afterCommit(queues);
            }
        }
        return result;
    }

    @Override
    public List<Submitted> executionSubmitInTransaction(
            SubmitTransaction transaction, List<WorkflowDocument> definitions, List<SubmitRequest> requests) {
        validate(requests);
        Session s = db.session(transaction.connection());
        try {
            for (WorkflowDocument d : definitions) {
                putWorkflow(s, d);
            }
            return requests.isEmpty() ? List.of() : submit(s, requests, queuesOf(requests), false);
        } catch (SQLException e) {
            throw new StoreException("execution_submit failed: " + Database.describe(e), e);
        }
    }

    private void validate(List<SubmitRequest> requests) {
        for (int i = 0; i < requests.size(); i++) {
            String what = requests.size() == 1 ? "submit" : "submit #" + (i + 1);
            SubmitRequest r = requests.get(i);
            InputGuard.checkQueue(r.queue(), what);
            if (r.checkedInput() != null) {
                InputGuard.checkSize(r.inputJson(), maxInputBytes, what);
                InputGuard.checkValues(r.checkedInput().value(), maxInputValues, what);
            } else {
                InputGuard.check(r.inputJson(), maxInputBytes, maxInputValues, what);
            }
        }
    }

    private static Set<String> queuesOf(List<SubmitRequest> requests) {
        Set<String> queues = new LinkedHashSet<>();
        for (SubmitRequest r : requests) {
            queues.add(r.queue());
        }
        return queues;
    }

    /**
     * Inserts, answering repeated idempotency keys inside the batch from their first occurrence;
     * {@code later}: the caller calls {@link Enqueuing#afterInsertCommitted} after the commit.
     */
    private List<Submitted> submit(Session s, List<SubmitRequest> requests, Set<String> queues, boolean later)
            throws SQLException {
        Map<String, Integer> firstByKey = new HashMap<>();
        List<SubmitRequest> unique = new ArrayList<>();
        int[] slot = new int[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            String key = requests.get(i).idempotencyKey();
            Integer first = key == null ? null : firstByKey.get(key);
            if (first != null) {
                slot[i] = -1 - first;
            } else {
                if (key != null) {
                    firstByKey.put(key, unique.size());
                }
                slot[i] = unique.size();
                unique.add(requests.get(i));
            }
        }
        List<Submitted> inserted = enqueuing.insertExecutions(s, unique, later);
        if (!enqueuing.announcesOnInsert() && inserted.stream().anyMatch(Submitted::created)) {
            enqueuing.announce(s, queues);
        }
        List<Submitted> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            if (slot[i] >= 0) {
                out.add(inserted.get(slot[i]));
            } else {
                out.add(new Submitted(inserted.get(-1 - slot[i]).executionId(), false));
            }
        }
        return out;
    }
}
