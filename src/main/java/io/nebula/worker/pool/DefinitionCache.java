package io.nebula.worker.pool;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.WorkflowDocument;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Workflow definitions by content hash, loaded from the store once and kept (a definition never
 * changes under its hash). When a batch of executions of a definition not yet seen starts at once,
 * one of them loads it and the others wait for that load instead of each asking the database. A
 * failed load is forgotten so the next execution tries again. Bounded: past {@value #MAX} entries
 * the cache starts over, which costs one load per definition in use.
 */
final class DefinitionCache {
    static final int MAX = 1_000;
    private final ExecutionStore store;
    private final ConcurrentHashMap<String, CompletableFuture<String>> byHash = new ConcurrentHashMap<>();

    DefinitionCache(ExecutionStore store) {
        this.store = store;
    }

    String get(String hash) {
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> existing = byHash.putIfAbsent(hash, mine);
        if (existing == null) {
            if (byHash.size() > MAX) {
                byHash.clear();
                byHash.put(hash, mine);
            }
            try {
                mine.complete(store.workflowGet(hash)
                        .map(WorkflowDocument::definitionJson)
                        .orElseThrow(() ->
                                new StoreException("workflow definition " + hash + " is missing from the store")));
            } catch (RuntimeException e) {
                byHash.remove(hash, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            return mine.join();
        }
        try {
            return existing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while loading workflow definition " + hash, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r
                    ? r
                    : new StoreException(e.getCause().getMessage(), e.getCause());
        }
    }
}
