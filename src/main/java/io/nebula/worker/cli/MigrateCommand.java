package io.nebula.worker.cli;

import io.nebula.worker.app.StoreFactory;
import io.nebula.worker.config.DatabaseUrl;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.ExecutionStore.SchemaStatus;
import java.nio.file.Files;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nebula-worker migrate}: applies the schema migrations this build ships to the configured
 * database. Safe to run while workers run and from several places at once (migrations take a lock
 * and are recorded). With {@code --check} it changes nothing and says whether migrations are
 * pending. Exit codes: 0 up to date (now), 5 with {@code --check} when migrations are pending or the
 * database is newer than this build, 1 when the database cannot be reached.
 */
@Command(
        name = "migrate",
        description = "Apply database schema migrations (--check only reports)",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:the schema is up to date",
            "1:the database cannot be reached",
            "2:bad flags or configuration",
            "5:--check: migrations are pending, or the database is newer than this build"
        })
final class MigrateCommand extends OpsCommand {
    @Option(names = "--check", description = "Change nothing; exit 5 when migrations are pending")
    boolean check;

    @Override
    protected int run() {
        if (check && config().database().url() instanceof DatabaseUrl.Sqlite s && !Files.exists(s.file())) {
            // No file yet is schema version 0; looking must not create it.
            return report(new SchemaStatus(0, StoreFactory.sqliteSchemaVersion()), 0, 0);
        }
        SchemaStatus before;
        SchemaStatus after;
        int applied = 0;
        try (ExecutionStore store = StoreAccess.openUnchecked(config(), check)) {
            before = store.schemaStatus();
            if (before.currentVersion() > before.expectedVersion()) {
                throw new CommandFailure(
                        ExitCode.CONFLICT,
                        "the database schema is at version " + before.currentVersion()
                                + ", newer than this build's " + before.expectedVersion()
                                + "; upgrade nebula-worker instead");
            }
            if (!check) {
                // Counted under the migration lock: another process migrating at the same time
                // applies some or all of them, and this one reports only its own.
                applied = store.migrate();
            }
            after = store.schemaStatus();
        }
        return report(after, check ? before.currentVersion() : after.currentVersion() - applied, applied);
    }

    private int report(SchemaStatus after, int from, int applied) {
        String database = config().database().url().redacted();
        if (json) {
            var o = JsonViews.object();
            o.put("database", database);
            o.put("from_version", from);
            o.put("to_version", after.currentVersion());
            o.put("expected_version", after.expectedVersion());
            o.put("applied", applied);
            o.put("up_to_date", after.upToDate());
            JsonViews.print(out(), o);
        } else if (check) {
            out().println(
                            after.upToDate()
                                    ? "schema of " + database + " is up to date (version " + after.currentVersion()
                                            + ")"
                                    : "schema of " + database + " is at version " + after.currentVersion()
                                            + "; this build needs " + after.expectedVersion()
                                            + ": run `nebula-worker migrate`");
        } else if (applied == 0) {
            out().println("schema of " + database + " already up to date (version " + after.currentVersion() + ")");
        } else {
            out().println("migrated " + database + " from schema version " + from + " to " + after.currentVersion());
        }
        out().flush();
        return after.upToDate() ? ExitCode.OK : ExitCode.CONFLICT;
    }
}
