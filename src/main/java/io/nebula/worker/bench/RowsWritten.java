package io.nebula.worker.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns PostgreSQL's per-table row counters for a scratch schema into rows written per execution,
 * the measure the issue asks to drive down ("count the statements and rows written per
 * execution"). The counts include the submit (one inserted {@code executions} row each).
 */
final class RowsWritten {
    private RowsWritten() {}

    static Map<String, Object> perExecution(List<Map<String, Object>> tables, long executions) {
        Map<String, Object> out = new LinkedHashMap<>();
        double total = 0;
        for (Map<String, Object> t : tables) {
            long ins = number(t.get("inserted"));
            long upd = number(t.get("updated"));
            long del = number(t.get("deleted"));
            if ((ins + upd + del) * 100 < executions) {
                continue; // bookkeeping (registry, leader, migrations), not per-execution work
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("inserted", MeteredStore.round(ins / (double) executions, 3));
            v.put("updated", MeteredStore.round(upd / (double) executions, 3));
            v.put("hot_updated", MeteredStore.round(number(t.get("hot_updated")) / (double) executions, 3));
            if (del > 0) {
                v.put("deleted", MeteredStore.round(del / (double) executions, 3));
            }
            out.put(String.valueOf(t.get("table_name")), v);
            total += (ins + upd + del) / (double) executions;
        }
        out.put("total", MeteredStore.round(total, 3));
        return out;
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }
}
