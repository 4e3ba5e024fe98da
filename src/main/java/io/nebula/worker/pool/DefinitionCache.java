package io.nebula.worker.pool;

import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.StoreException;
import io.nebula.worker.queue.WorkflowDocument;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Workflow definitions by content hash, loaded from the store once and kept (a definition never
 * changes under its hash). Bounded so a long-lived worker that sees many definitions stays small.
 */
final class DefinitionCache {
    private static final int MAX = 1_000;
    private final ExecutionStore store;
    private final Map<String, String> byHash = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX;
        }
    };

    DefinitionCache(ExecutionStore store) {
        this.store = store;
    }

    String get(String hash) {
        synchronized (byHash) {
            String d = byHash.get(hash);
            if (d != null) {
                return d;
            }
        }
        String loaded = store.workflowGet(hash)
                .map(WorkflowDocument::definitionJson)
                .orElseThrow(() -> new StoreException("workflow definition " + hash + " is missing from the store"));
        synchronized (byHash) {
            byHash.put(hash, loaded);
        }
        return loaded;
    }
}
