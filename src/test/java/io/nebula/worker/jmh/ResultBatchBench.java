package io.nebula.worker.jmh;

import io.nebula.worker.queue.jdbc.Params;
import io.nebula.worker.queue.jdbc.SqlArray;
import io.nebula.worker.queue.jdbc.SqlRows;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker-side cost of one batched result write, outside the database: handing each result to
 * a writer through a queue with a future per result (the shape of the pool's result publisher,
 * which is not public), and binding the batch as the store does for a completion (one list
 * parameter per column; for SQLite the columns zipped into rows and encoded as JSON text). Scored
 * per batch; divide by {@code batch} for the cost per execution.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResultBatchBench {
    @Param({"1", "32", "256"})
    public int batch;

    private final JsonMapper json = JsonMapper.builder().build();
    private final LinkedBlockingQueue<CompletableFuture<Boolean>> queue = new LinkedBlockingQueue<>();
    private List<Long> ids;
    private List<Long> epochs;
    private List<String> outputs;

    @Setup
    public void setUp() {
        ids = new ArrayList<>();
        epochs = new ArrayList<>();
        outputs = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            ids.add(1_000_000L + i);
            epochs.add(1L);
            outputs.add("{\"id\":" + (1_000_000 + i) + "}");
        }
    }

    /** Enqueue one pending write per result, drain them as one batch, complete every future. */
    @Benchmark
    public int handOff() {
        for (int i = 0; i < batch; i++) {
            queue.add(new CompletableFuture<>());
        }
        List<CompletableFuture<Boolean>> drained = new ArrayList<>(batch);
        queue.drainTo(drained);
        for (CompletableFuture<Boolean> f : drained) {
            f.complete(Boolean.TRUE);
        }
        return drained.size();
    }

    /** Completion parameters as PostgreSQL receives them: one typed list per column. */
    @Benchmark
    public Params bindPostgres() {
        return Params.of("ids", SqlArray.ofLongs(new ArrayList<>(ids)))
                .set("epochs", SqlArray.ofLongs(new ArrayList<>(epochs)))
                .set("outputs", SqlArray.ofStrings(new ArrayList<>(outputs)));
    }

    /** The same zipped into rows and written as JSON text, as SQLite receives them. */
    @Benchmark
    public String bindSqlite() {
        SqlRows rows = new SqlRows(List.of(
                SqlArray.ofLongs(new ArrayList<>(ids)),
                SqlArray.ofLongs(new ArrayList<>(epochs)),
                SqlArray.ofStrings(new ArrayList<>(outputs))));
        return json.writeValueAsString(rows.rows());
    }
}
