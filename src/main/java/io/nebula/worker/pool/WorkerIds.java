package io.nebula.worker.pool;

/**
 * Worker identities. The configured worker id names a pool and may be shared by many processes
 * (every replica of a deployment gets the same WORKER_ID); the lease owner must be unique per
 * process, so it is the pool id plus host and process id, unless the pool id already is that.
 */
public final class WorkerIds {
    private WorkerIds() {}

    /** {@code <host>-<pid>}: unique on a network, readable in logs. */
    public static String hostAndPid() {
        return Worker.hostName() + "-" + ProcessHandle.current().pid();
    }

    public static String instanceId(String poolId) {
        String local = hostAndPid();
        return poolId == null || poolId.isBlank() || poolId.equals(local) ? local : poolId + "@" + local;
    }
}
