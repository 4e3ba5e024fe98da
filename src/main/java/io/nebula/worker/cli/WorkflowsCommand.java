package io.nebula.worker.cli;

import io.nebula.worker.pool.WorkflowCatalog;
import io.nebula.worker.workflow.LoadedWorkflow;
import io.nebula.worker.workflow.Problem;
import io.nebula.worker.workflow.WorkflowInvalidException;
import io.nebula.worker.workflow.Workflows;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code nebula-worker workflows ...}: workflow definition files. */
@Command(
        name = "workflows",
        description = "Check workflow definition files",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {WorkflowsCommand.ValidateCommand.class})
final class WorkflowsCommand {
    @Mixin
    CommonOptions common;

    /**
     * {@code workflows validate FILE...}: loads each file as {@code submit} would (same actions,
     * plugins and limits as the configured worker) and prints every problem with file, line and
     * column. Needs no database. Exit codes: 0 all valid, 4 any invalid or unreadable.
     */
    @Command(name = "validate", description = "Validate workflow files; print every problem with its line")
    static final class ValidateCommand extends OpsCommand {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "JSON or YAML workflow files")
        List<Path> files;

        @Override
        protected int run() {
            Workflows workflows = WorkflowCatalog.of(config());
            ArrayNode results = JsonViews.array();
            int invalid = 0;
            for (Path file : files) {
                ObjectNode r = results.addObject();
                r.put("file", file.toString());
                try {
                    LoadedWorkflow w = workflows.load(file);
                    r.put("valid", true);
                    r.put("workflow", w.name());
                    r.put("hash", w.hash());
                    r.put("nodes", w.workflow().nodes().size());
                    r.putArray("problems");
                    if (!json) {
                        out().println("ok       " + file + ": workflow '" + Table.clean(w.name()) + "', "
                                + w.workflow().nodes().size() + " nodes, hash "
                                + w.hash().substring(0, 12));
                    }
                } catch (WorkflowInvalidException e) {
                    invalid++;
                    invalid(r, file, e.problems());
                } catch (IOException e) {
                    invalid++;
                    String why = e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
                    invalid(r, file, List.of(new Problem(file.toString(), 0, 0, "", null, "cannot read: " + why)));
                }
            }
            if (json) {
                JsonViews.print(out(), results);
            } else if (invalid > 0) {
                out().println(invalid + " of " + files.size() + " file" + (files.size() == 1 ? "" : "s") + " invalid");
            }
            out().flush();
            return invalid == 0 ? ExitCode.OK : ExitCode.INVALID;
        }

        private void invalid(ObjectNode r, Path file, List<Problem> problems) {
            r.put("valid", false);
            r.putNull("workflow");
            r.putNull("hash");
            r.putNull("nodes");
            ArrayNode ps = r.putArray("problems");
            for (Problem p : problems) {
                ObjectNode o = ps.addObject();
                o.put("line", p.line());
                o.put("column", p.column());
                o.put("pointer", p.pointer());
                o.put("node", p.nodeId());
                o.put("message", p.message());
                o.put("text", p.render());
            }
            if (!json) {
                out().println("invalid  " + file + ": " + problems.size() + " problem"
                        + (problems.size() == 1 ? "" : "s"));
                problems.forEach(p -> out().println("  " + Table.clean(p.render())));
            }
        }
    }
}
