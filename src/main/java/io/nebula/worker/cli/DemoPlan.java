package io.nebula.worker.cli;

import io.nebula.worker.queue.ExecutionView;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the demo submits: every bundled example, each with inputs that show something and the
 * state each run should reach. The approval example gets its signal from the demo once it waits;
 * the nightly report is not submitted but fired by its schedule, which the demo stores from the
 * example's schedule file (due at once, then nightly as the file says). The HTTP example never leaves the machine: it calls the demo's own
 * endpoint ({@link DemoEndpoint}), once on a path that answers 503 before it answers 200 (a retry
 * you can watch) and once on a path that answers 404 (a permanent failure, as expected).
 */
final class DemoPlan {
    /** The state a demo run should reach for the demo to count it as a success. */
    enum Expect {
        SUCCEEDED("succeeded"),
        FAILED("failed"),
        /** Parked by a durable delay, due later (or finished, if the demo ran long enough). */
        WAITING("waiting"),
        /** Any terminal state: examples the plan does not know yet. */
        FINISHED("finished");

        final String label;

        Expect(String label) {
            this.label = label;
        }

        /** Whether the run has got as far as it will without waiting a long time. */
        boolean settled(ExecutionView v, String lastEvent) {
            return v.state().isTerminal() || (this == WAITING && parked(v, lastEvent));
        }

        /** Whether the run ended the way it should. */
        boolean met(ExecutionView v, String lastEvent) {
            return switch (this) {
                case SUCCEEDED -> v.state() == io.nebula.worker.queue.ExecutionState.SUCCEEDED;
                case FAILED -> v.state() == io.nebula.worker.queue.ExecutionState.FAILED;
                case WAITING -> parked(v, lastEvent) || v.state() == io.nebula.worker.queue.ExecutionState.SUCCEEDED;
                case FINISHED -> v.state().isTerminal();
            };
        }

        private static boolean parked(ExecutionView v, String lastEvent) {
            return v.state() == io.nebula.worker.queue.ExecutionState.AVAILABLE
                    && "waiting".equals(lastEvent)
                    && v.runAt().isAfter(v.now());
        }
    }

    /**
     * One execution to submit.
     *
     * @param file the example's file name in the examples folder
     * @param label what the run shows, for the progress lines and the results table
     * @param input the execution input as JSON text
     * @param signal a signal the demo delivers once the execution waits for it, or {@code null}
     * @param scheduleFile when not {@code null}, the execution is not submitted: the demo stores the
     *     example's schedule from this file and the scheduler fires it
     */
    record Run(String file, String label, String input, Expect expect, Signal signal, String scheduleFile) {
        Run(String file, String label, String input, Expect expect) {
            this(file, label, input, expect, null, null);
        }
    }

    /** A signal to deliver: its name and data (JSON text). */
    record Signal(String name, String data) {}

    /** What the approval example's request looks like. */
    static final String APPROVAL_REQUEST = "{\"request\":{\"id\":\"R-7\",\"amount\":120}}";

    /** The notify-all example's recipients; {@code %s} is the demo endpoint's URL. */
    static final String NOTIFY = "{\"url\":\"%s\",\"recipients\":["
            + "{\"name\":\"Ada\",\"email\":\"ada@example.com\"},"
            + "{\"name\":\"Grace\",\"email\":\"grace@example.com\"},"
            + "{\"name\":\"Linus\",\"email\":\"linus@example.com\"}]}";

    /** The order-with-shipping example's order. */
    static final String SHIPPED_ORDER = "{\"order\":{\"id\":\"A-17\",\"address\":\"1 Quay St\","
            + "\"items\":[{\"sku\":\"tea\",\"qty\":2,\"kg\":0.5},{\"sku\":\"mug\",\"qty\":12,\"kg\":0.4}]}}";

    /** The ship-each example's batch of orders. */
    static final String SHIPPED_BATCH = "{\"orders\":["
            + "{\"id\":\"B-1\",\"address\":\"1 Quay St\",\"weight_kg\":2.5},"
            + "{\"id\":\"B-2\",\"address\":\"9 Dock Rd\",\"weight_kg\":24},"
            + "{\"id\":\"B-3\",\"address\":\"4 Mill Ln\",\"weight_kg\":0.8},"
            + "{\"id\":\"B-4\",\"address\":\"2 Pier Way\",\"weight_kg\":6}]}";

    /** Whether a file in the examples folder is a schedule file rather than a workflow. */
    static boolean isScheduleFile(String name) {
        return name.contains(".schedules.");
    }

    private DemoPlan() {}

    /** The runs for the example files given (file names), in order; unknown files get {@code {}}. */
    static List<Run> runs(List<String> files, URI endpoint) {
        Map<String, List<Run>> known = known(endpoint);
        List<Run> out = new ArrayList<>();
        for (String f : files) {
            out.addAll(known.getOrDefault(f, List.of(new Run(f, stem(f), "{}", Expect.FINISHED))));
        }
        return out;
    }

    /** The example files this plan has inputs for. */
    static List<String> knownFiles() {
        return List.copyOf(known(URI.create("http://127.0.0.1:1/")).keySet());
    }

    private static Map<String, List<Run>> known(URI endpoint) {
        String order =
                "{\"order\":{\"id\":\"A-17\",\"express\":%s,\"items\":[{\"sku\":\"tea\",\"qty\":2,\"price\":4.5},"
                        + "{\"sku\":\"mug\",\"qty\":12,\"price\":7}]}}";
        return Map.ofEntries(
                Map.entry(
                        "hello.json",
                        List.of(new Run("hello.json", "hello", "{\"name\":\"newcomer\"}", Expect.SUCCEEDED))),
                Map.entry(
                        "order-pipeline.yaml",
                        List.of(
                                new Run(
                                        "order-pipeline.yaml",
                                        "order, express",
                                        order.formatted("true"),
                                        Expect.SUCCEEDED),
                                new Run(
                                        "order-pipeline.yaml",
                                        "order, standard",
                                        order.formatted("false"),
                                        Expect.SUCCEEDED))),
                Map.entry(
                        "flaky-retry.json",
                        List.of(new Run(
                                "flaky-retry.json", "flaky: fails twice, then succeeds", "{}", Expect.SUCCEEDED))),
                Map.entry(
                        "http-call.json",
                        List.of(
                                new Run(
                                        "http-call.json",
                                        "http: 503 once, then 200",
                                        url(endpoint, DemoEndpoint.FLAKY),
                                        Expect.SUCCEEDED),
                                new Run(
                                        "http-call.json",
                                        "http: 404, fails for good",
                                        url(endpoint, DemoEndpoint.MISSING),
                                        Expect.FAILED))),
                Map.entry(
                        "payment-with-secret.yaml",
                        List.of(new Run(
                                "payment-with-secret.yaml",
                                "payment: token from a secret",
                                "{\"url\":\"" + endpoint.resolve(DemoEndpoint.PAYMENTS)
                                        + "\",\"order_id\":\"A-17\",\"amount\":37.5}",
                                Expect.SUCCEEDED))),
                Map.entry(
                        "notify-all.yaml",
                        List.of(new Run(
                                "notify-all.yaml",
                                "notify-all: one HTTP call per recipient (a map)",
                                NOTIFY.formatted(endpoint.resolve("/notify")),
                                Expect.SUCCEEDED))),
                Map.entry(
                        "order-with-shipping.yaml",
                        List.of(new Run(
                                "order-with-shipping.yaml",
                                "order with shipping: runs a sub-workflow",
                                SHIPPED_ORDER,
                                Expect.SUCCEEDED))),
                Map.entry(
                        "ship-each.yaml",
                        List.of(new Run(
                                "ship-each.yaml",
                                "ship each: a sub-workflow per order (a map)",
                                SHIPPED_BATCH,
                                Expect.SUCCEEDED))),
                Map.entry(
                        "shipping.yaml",
                        List.of(new Run(
                                "shipping.yaml",
                                "shipping on its own",
                                "{\"order_id\":\"A-18\",\"address\":\"1 Quay St\",\"weight_kg\":31.5}",
                                Expect.SUCCEEDED))),
                Map.entry(
                        "long-delay.json",
                        List.of(new Run("long-delay.json", "long delay: waits 2 minutes", "{}", Expect.WAITING))),
                Map.entry(
                        "approval.yaml",
                        List.of(new Run(
                                "approval.yaml",
                                "approval: waits for signal 'approve'",
                                APPROVAL_REQUEST,
                                Expect.SUCCEEDED,
                                new Signal("approve", "{\"approved\":true,\"by\":\"the demo\"}"),
                                null))),
                Map.entry(
                        "nightly-report.yaml",
                        List.of(new Run(
                                "nightly-report.yaml",
                                "nightly report: fired by its schedule",
                                null,
                                Expect.SUCCEEDED,
                                null,
                                "nightly-report.schedules.yaml"))));
    }

    private static String url(URI endpoint, String path) {
        return "{\"url\":\"" + endpoint.resolve(path) + "\"}";
    }

    private static String stem(String file) {
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}
