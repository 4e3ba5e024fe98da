package io.nebula.worker.cli;

import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.config.WorkerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stand-in {@link WorkerStarter} until the worker itself is wired into {@link Main}: it logs
 * the resolved configuration (redacted) and where the store is, then returns 0. It shows what a
 * start would use, which also makes it a dry run for checking configuration.
 */
public final class ResolvedConfigStarter implements WorkerStarter {
    private static final Logger LOG = LoggerFactory.getLogger(ResolvedConfigStarter.class);

    @Override
    public int run(WorkerConfig config) {
        LOG.atInfo()
                .setMessage("nebula-worker starting")
                .addKeyValue("version", Version.current())
                .addKeyValue("worker_id", config.worker().workerId())
                .addKeyValue("concurrency", config.worker().concurrency())
                .addKeyValue("queues", String.join(",", config.worker().queues()))
                .log();
        switch (config.database().url()) {
            case DatabaseUrl.Sqlite sqlite ->
                LOG.atInfo()
                        .setMessage("store: embedded SQLite")
                        .addKeyValue("file", sqlite.file())
                        .log();
            case DatabaseUrl.Postgres pg ->
                LOG.atInfo()
                        .setMessage("store: PostgreSQL")
                        .addKeyValue("url", pg.redacted())
                        .log();
        }
        LOG.atInfo()
                .setMessage("resolved configuration")
                .addKeyValue("config", config)
                .log();
        LOG.info("the queue worker is not wired in yet; exiting");
        return 0;
    }
}
