package io.nebula.worker.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code nebula-worker executions ...}: the group of commands about executions. */
@Command(
        name = "executions",
        description = "List, show, retry, cancel, explain and signal executions",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            ExecutionsListCommand.class,
            ExecutionsShowCommand.class,
            ExecutionsRetryCommand.class,
            ExecutionsCancelCommand.class,
            ExecutionsExplainCommand.class,
            ExecutionsSignalCommand.class
        })
final class ExecutionsCommand {
    @Mixin
    CommonOptions common;
}
