package io.nebula.worker.pool;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.WorkflowDocument;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workflow definitions by content hash, loaded from the store once and kept (a definition never
 * changes under its hash). When a batch of executions of a definition not yet seen starts at once,
 * one of them loads it and the others wait for that load instead of each asking the database. A
 * failed load is forgotten so the next execution tries again. Bounded by the size of the texts
 * held ({@code limits.definition_cache_bytes}, counted in characters): when a load would pass it
 * the cache starts over, which costs one load per definition in use; a definition larger than the
 * whole budget is loaded for each execution and never kept.
 */
final class DefinitionCache {
    private final ExecutionStore store;
    private final long maxChars;
    private final ConcurrentHashMap<String, CompletableFuture<String>> byHash = new ConcurrentHashMap<>();
    private final AtomicLong heldChars = new AtomicLong();

    DefinitionCache(ExecutionStore store, long maxChars) {
        this.store = store;
        this.maxChars = maxChars;
    }

    String get(String hash) {
        CompletableFuture<String> existing = byHash.get(hash);
        if (existing != null && existing.isDone() && !existing.isCompletedExceptionally()) {
            return existing.join();
        }
        CompletableFuture<String> mine = new CompletableFuture<>();
        existing = byHash.putIfAbsent(hash, mine);
        if (existing == null) {
            String text;
            try {
                text = store.workflowGet(hash)
                        .map(WorkflowDocument::definitionJson)
                        .orElseThrow(
                                () -> new StoreException("workflow definition " + hash + " is missing from the store"));
            } catch (RuntimeException e) {
                byHash.remove(hash, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            mine.complete(text);
            keepWithinBudget(hash, mine, text.length());
            return text;
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

    /** Counts a loaded text; one larger than the budget is dropped, else passing it starts over. */
    private void keepWithinBudget(String hash, CompletableFuture<String> loaded, long chars) {
        if (chars > maxChars) {
            byHash.remove(hash, loaded);
            return;
        }
        if (heldChars.addAndGet(chars) > maxChars) {
            byHash.clear();
            heldChars.set(chars);
            byHash.put(hash, loaded);
        }
    }

    /** Characters of definition text held now, as counted. */
    long heldChars() {
        return heldChars.get();
    }
}
