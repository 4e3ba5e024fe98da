package io.nebula.worker.bench;

import io.nebula.worker.observe.AttemptOutcome;
import io.nebula.worker.observe.ExecutionEvent;
import io.nebula.worker.observe.WorkerListener;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches an in-process worker through its listener, so the benchmark never polls the database
 * while it measures: when the first claim returned rows, when each execution started, how many
 * reached a terminal state and when the expected count was reached. Cheap enough to leave on at
 * full speed (an atomic increment per execution).
 */
final class CompletionProbe implements WorkerListener {
    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final AtomicLong firstClaimNanos = new AtomicLong();
    private volatile long firstClaimCpuNanos = -1;
    private volatile long reachedCpuNanos = -1;
    private volatile Map<Long, Long> firstClaimJit;
    private volatile Map<Long, Long> reachedJit;
    private volatile long firstClaimAllocated = -1;
    private volatile long reachedAllocated = -1;
    private final AtomicLong lastEndNanos = new AtomicLong();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final boolean recordStarts;
    private final Map<Long, Long> starts = new ConcurrentHashMap<>();
    private final Semaphore started = new Semaphore(0);
    private volatile long target = Long.MAX_VALUE;
    private volatile CountDownLatch reached = new CountDownLatch(1);

    /** @param recordStarts whether to keep each execution's start time (latency runs) */
    CompletionProbe(boolean recordStarts) {
        this.recordStarts = recordStarts;
    }

    /** Arms {@link #awaitFinished} for {@code n} terminal executions in total. */
    void expect(long n) {
        reached = new CountDownLatch(1);
        target = n;
        if (finished.get() >= n) {
            reached.countDown();
        }
    }

    /** Waits until the expected number finished; false on timeout. */
    boolean awaitFinished(Duration max) throws InterruptedException {
        return reached.await(max.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Waits for the next execution start; false on timeout. */
    boolean awaitStart(Duration max) throws InterruptedException {
        return started.tryAcquire(max.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** When execution {@code id} started ({@link System#nanoTime()}), or {@code null}. */
    Long startOf(long id) {
        return starts.get(id);
    }

    long finished() {
        return finished.get();
    }

    long failed() {
        return failed.get();
    }

    /** Seconds from the first claim that returned rows to the expected count's last execution. */
    double drainSeconds() {
        long first = firstClaimNanos.get();
        long last = lastEndNanos.get();
        return first == 0 || last == 0 ? Double.NaN : (last - first) / 1e9;
    }

    /**
     * CPU time this whole process used from the first claim to the last expected execution, in
     * microseconds per execution, or NaN when unknown. Counts every thread: the worker's, the JIT
     * and the collector, the true cost of the worker (and nothing of the database's).
     */
    double cpuMicrosPerExecution() {
        long a = firstClaimCpuNanos;
        long b = reachedCpuNanos;
        return a < 0 || b < 0 ? Double.NaN : (b - a) / 1e3 / target;
    }

    /**
     * {@link #cpuMicrosPerExecution} less what the JIT compiler threads used in the same window
     * (see {@link CompilerCpu}), or NaN when unknown.
     */
    double cpuMicrosPerExecutionWithoutJit() {
        return CompilerCpu.microsWithout(firstClaimCpuNanos, reachedCpuNanos, firstClaimJit, reachedJit, target);
    }

    /**
     * Bytes this whole process allocated on the heap from the first claim to the last expected
     * execution, per execution, or NaN when the JVM does not say. It depends on the code (and on
     * what the JIT has compiled, through escape analysis) but hardly on the machine's speed or load,
     * so it shows a change to the hot path's garbage that CPU figures are too noisy to show.
     */
    double allocatedBytesPerExecution() {
        long a = firstClaimAllocated;
        long b = reachedAllocated;
        return a < 0 || b < 0 ? Double.NaN : (double) (b - a) / target;
    }

    private static long allocatedBytes() {
        return THREADS instanceof com.sun.management.ThreadMXBean sun
                        && sun.isThreadAllocatedMemorySupported()
                        && sun.isThreadAllocatedMemoryEnabled()
                ? sun.getTotalThreadAllocatedBytes()
                : -1;
    }

    private static long processCpuNanos() {
        return OS instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    @Override
    public void claimed(int requested, int received) {
        if (received > 0 && firstClaimNanos.get() == 0 && firstClaimNanos.compareAndSet(0, System.nanoTime())) {
            // The compiler's window inside the CPU window, the allocation window inside both: the
            // snapshots' own work and garbage stay out of what they measure.
            firstClaimCpuNanos = processCpuNanos();
            firstClaimJit = CompilerCpu.snapshot();
            firstClaimAllocated = allocatedBytes();
        }
    }

    @Override
    public void executionStarted(ExecutionEvent e, Duration queued) {
        if (recordStarts) {
            starts.put(e.executionId(), System.nanoTime());
            started.release();
        }
    }

    @Override
    public void executionEnded(ExecutionEvent e, AttemptOutcome outcome, Duration took, String error) {
        if (!outcome.terminal()) {
            return;
        }
        if (outcome != AttemptOutcome.SUCCEEDED) {
            failed.incrementAndGet();
        }
        // Only the execution that completes the count reads the clocks: a contended maximum
        // updated by every execution took about 2 % of the measured process's JFR samples.
        if (finished.incrementAndGet() == target) {
            lastEndNanos.set(System.nanoTime());
            reachedAllocated = allocatedBytes();
            reachedJit = CompilerCpu.snapshot();
            reachedCpuNanos = processCpuNanos();
            reached.countDown();
        }
    }
}
