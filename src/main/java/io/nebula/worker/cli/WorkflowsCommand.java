package io.nebula.worker.cli;

import io.nebula.worker.app.WorkflowCatalog;
import io.nebula.worker.inspect.HumanTime;
import io.nebula.worker.inspect.NodeLine;
import io.nebula.worker.queue.ExecutionStore;
import io.nebula.worker.queue.WorkflowDocument;
import io.nebula.worker.queue.WorkflowVersion;
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

/**
 * {@code nebula-worker workflows ...}: workflow definition files, and the versions deployed under
 * their names ({@code deploy}, {@code list}, {@code show}) that {@code submit NAME} runs.
 */
@Command(
        name = "workflows",
        description = "Check workflow files; deploy them under their names; list and show deployed versions",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            WorkflowsCommand.ValidateCommand.class,
            WorkflowsCommand.DeployCommand.class,
            WorkflowsCommand.ListCommand.class,
            WorkflowsCommand.ShowCommand.class
        })
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

    /** The first 12 characters of a content hash, as listings show it. */
    static String shortHash(String hash) {
        return hash == null ? "-" : hash.substring(0, Math.min(12, hash.length()));
    }

    /**
     * {@code workflows deploy FILE...}: validates each file as {@code submit} would and makes it the
     * latest deployed version of its name (a new version when its content hash is new), so {@code
     * submit NAME} runs it. Exit codes: 0 deployed, 4 a file is invalid (nothing is deployed then).
     */
    @Command(
            name = "deploy",
            description = "Store workflow files under their names as their latest versions",
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {
                "0:deployed",
                "1:database failure",
                "2:bad flags or configuration",
                "4:an invalid or unreadable file; nothing was deployed"
            })
    static final class DeployCommand extends OpsCommand {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "JSON or YAML workflow files")
        List<Path> files;

        @Override
        protected int run() {
            Workflows workflows = WorkflowCatalog.of(config());
            List<LoadedWorkflow> loaded = new java.util.ArrayList<>();
            for (Path file : files) {
                try {
                    loaded.add(workflows.load(file));
                } catch (WorkflowInvalidException e) {
                    throw new CommandFailure(
                            ExitCode.INVALID,
                            file + " is not a valid workflow (" + e.problems().size() + " problem"
                                    + (e.problems().size() == 1 ? "" : "s") + "); nothing was deployed",
                            e.problems().stream().map(p -> "  " + p.render()).toList());
                } catch (IOException e) {
                    String why = e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
                    throw new CommandFailure(
                            ExitCode.INVALID, "cannot read " + file + ": " + why + "; nothing was deployed");
                }
            }
            ArrayNode results = JsonViews.array();
            try (ExecutionStore store = openStore()) {
                for (int i = 0; i < loaded.size(); i++) {
                    String problem = io.nebula.worker.workflow.Workflows.storedChildrenProblem(
                            loaded.get(i),
                            h -> store.workflowGet(h).map(io.nebula.worker.queue.WorkflowDocument::definitionJson));
                    if (problem != null) {
                        throw new CommandFailure(
                                ExitCode.INVALID, files.get(i) + ": " + problem + "; nothing was deployed");
                    }
                }
                for (int i = 0; i < loaded.size(); i++) {
                    LoadedWorkflow w = loaded.get(i);
                    // Sub-workflow files go with it, stored (not deployed) under their hashes.
                    w.documents().stream()
                            .filter(doc -> !doc.hash().equals(w.hash()))
                            .forEach(store::workflowPut);
                    ExecutionStore.WorkflowDeployed d = store.workflowDeploy(w.document());
                    ObjectNode r = results.addObject();
                    r.put("file", files.get(i).toString());
                    r.put("workflow", w.name());
                    r.put("hash", w.hash());
                    r.put("new_version", d.stored());
                    r.put("previous_hash", d.previousHash());
                    JsonViews.time(r, "deployed_at", d.version().deployedAt());
                    if (!json) {
                        out().println("deployed workflow '" + Table.clean(w.name()) + "' version " + shortHash(w.hash())
                                + " from " + files.get(i) + ": " + change(d, w.hash()));
                    }
                }
            }
            if (json) {
                JsonViews.print(out(), results);
            }
            out().flush();
            return ExitCode.OK;
        }

        private static String change(ExecutionStore.WorkflowDeployed d, String hash) {
            if (d.previousHash() == null) {
                return "its first deployed version; `nebula-worker submit "
                        + d.version().name() + "` runs it";
            }
            if (d.previousHash().equals(hash)) {
                return "unchanged, it already was the latest version";
            }
            return (d.stored() ? "a new version" : "an earlier version, the latest again") + ", replacing "
                    + shortHash(d.previousHash()) + " for new submits (queued executions keep theirs)";
        }
    }

    /** {@code workflows list}: each workflow name with its current version and how many are stored. */
    @Command(name = "list", description = "List workflows by name with their latest deployed version")
    static final class ListCommand extends OpsCommand {
        @Override
        protected int run() {
            List<WorkflowVersion> all;
            try (ExecutionStore store = openStore()) {
                all = store.workflowNames();
            }
            if (json) {
                ArrayNode a = JsonViews.array();
                for (WorkflowVersion v : all) {
                    ObjectNode o = a.addObject();
                    o.put("workflow", v.name());
                    o.put("versions", v.versions());
                    o.put("latest_hash", v.deployed() ? v.hash() : null);
                    JsonViews.time(o, "deployed_at", v.deployedAt());
                    o.put("newest_hash", v.hash());
                    JsonViews.time(o, "stored_at", v.createdAt());
                }
                JsonViews.print(out(), a);
                return ExitCode.OK;
            }
            if (all.isEmpty()) {
                out().println("No workflows stored yet: `nebula-worker workflows deploy FILE` stores one by name.");
                out().flush();
                return ExitCode.OK;
            }
            Table t = new Table("WORKFLOW", "VERSIONS", "LATEST", "DEPLOYED");
            for (WorkflowVersion v : all) {
                t.row(
                        v.name(),
                        v.versions(),
                        v.deployed() ? shortHash(v.hash()) : "-",
                        v.deployed() ? HumanTime.instant(v.deployedAt()) : "never (submitted as a file)");
            }
            t.print(out());
            return ExitCode.OK;
        }
    }

    /**
     * {@code workflows show NAME}: every stored version of a workflow (deployed ones latest first,
     * then those only submitted as files) and the nodes of the current one. Exit codes: 0 shown,
     * 4 no such workflow.
     */
    @Command(name = "show", description = "Show a workflow's versions and the nodes of its latest one")
    static final class ShowCommand extends OpsCommand {
        @Parameters(paramLabel = "NAME", description = "The workflow name")
        String name;

        @Override
        protected int run() {
            List<WorkflowVersion> versions;
            WorkflowDocument current;
            List<String> names;
            try (ExecutionStore store = openStore()) {
                versions = store.workflowVersions(name);
                names = versions.isEmpty()
                        ? store.workflowNames().stream()
                                .map(WorkflowVersion::name)
                                .toList()
                        : List.of();
                current = versions.isEmpty()
                        ? null
                        : store.workflowGet(versions.get(0).hash()).orElse(null);
            }
            if (versions.isEmpty()) {
                String guess = NearestName.among(name, names);
                throw new CommandFailure(
                        ExitCode.INVALID,
                        "no workflow named '" + name + "' is stored"
                                + (guess == null ? "" : "; did you mean '" + guess + "'?")
                                + (names.isEmpty() ? "" : " (stored: " + String.join(", ", names) + ")"));
            }
            List<NodeLine> nodes = NodeLine.of(current == null ? null : current.definitionJson(), List.of());
            boolean deployed = versions.get(0).deployed();
            if (json) {
                ObjectNode o = JsonViews.object();
                o.put("workflow", name);
                o.put("latest_hash", deployed ? versions.get(0).hash() : null);
                ArrayNode vs = o.putArray("versions");
                for (int i = 0; i < versions.size(); i++) {
                    WorkflowVersion v = versions.get(i);
                    ObjectNode x = vs.addObject();
                    x.put("hash", v.hash());
                    x.put("latest", i == 0 && deployed);
                    JsonViews.time(x, "deployed_at", v.deployedAt());
                    JsonViews.time(x, "stored_at", v.createdAt());
                }
                ArrayNode ns = o.putArray("nodes");
                for (NodeLine n : nodes) {
                    ObjectNode x = ns.addObject();
                    x.put("node_id", n.nodeId());
                    x.put("action", n.action());
                }
                o.set("definition", JsonViews.embedded(current == null ? null : current.definitionJson()));
                JsonViews.print(out(), o);
                return ExitCode.OK;
            }
            out().println("Workflow '" + Table.clean(name) + "': " + versions.size() + " version"
                    + (versions.size() == 1 ? "" : "s")
                    + (deployed
                            ? ", latest deployed " + shortHash(versions.get(0).hash()) + " (`nebula-worker submit "
                                    + name + "` runs it)"
                            : ", none deployed (submit one as " + name + "@HASH, or deploy a file)"));
            out().println();
            Table t = new Table("HASH", "LATEST", "DEPLOYED", "FIRST STORED");
            for (int i = 0; i < versions.size(); i++) {
                WorkflowVersion v = versions.get(i);
                t.row(
                        shortHash(v.hash()),
                        i == 0 && deployed ? "yes" : "",
                        v.deployed() ? HumanTime.instant(v.deployedAt()) : "never (submitted as a file)",
                        HumanTime.instant(v.createdAt()));
            }
            t.print(out());
            out().println();
            out().println("Nodes of " + shortHash(versions.get(0).hash()));
            Table n = new Table("NODE", "ACTION");
            nodes.forEach(x -> n.row(x.nodeId(), x.action()));
            n.print(out());
            return ExitCode.OK;
        }
    }
}
