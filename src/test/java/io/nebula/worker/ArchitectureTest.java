package io.nebula.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Package dependencies point one way, top to bottom:
 *
 * <pre>
 * cli → console → (bench, http, inspect, launch) → app → pool → schedule → runtime → workflow → action
 *     → secret → observe
 *     → (queue.postgres, queue.sqlite) → queue.jdbc → queue → config → redact → json
 * </pre>
 *
 * <p>A layer may use any layer below it and never one above; empty layers are allowed so packages
 * can arrive one at a time. The rules are built for a root package, so the second half of this
 * class can point the very same rules at {@code io.nebula.worker.archfixture}, whose classes break
 * them on purpose, and prove that a reversed arrow is caught.
 */
class ArchitectureTest {
    static final String ROOT = "io.nebula.worker";
    static final String FIXTURE_ROOT = ROOT + ".archfixture";

    /** Layers from the top; each entry is a layer name and its packages below the root. */
    static final List<List<String>> LAYERS = List.of(
            List.of("cli", "cli.."),
            List.of("console", "console.."),
            List.of("edge", "bench..", "http..", "inspect..", "launch.."),
            List.of("app", "app.."),
            List.of("pool", "pool.."),
            List.of("schedule", "schedule.."),
            List.of("runtime", "runtime.."),
            List.of("workflow", "workflow.."),
            List.of("action", "action.."),
            List.of("secret", "secret.."),
            List.of("observe", "observe.."),
            List.of("stores", "queue.postgres..", "queue.sqlite.."),
            List.of("jdbc", "queue.jdbc.."),
            List.of("queue", "queue"),
            List.of("config", "config.."),
            List.of("redact", "redact.."),
            List.of("json", "json.."));

    private static JavaClasses production;
    private static JavaClasses fixture;

    @BeforeAll
    static void importClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        fixture = new ClassFileImporter().importPackages(FIXTURE_ROOT);
    }

    static ArchRule layers(String root) {
        LayeredArchitecture arch =
                layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true);
        for (List<String> layer : LAYERS) {
            arch = arch.layer(layer.get(0)).definedBy(packages(root, layer.subList(1, layer.size())));
        }
        arch = arch.whereLayer(LAYERS.get(0).get(0)).mayNotBeAccessedByAnyLayer();
        for (int i = 1; i < LAYERS.size(); i++) {
            String[] above = LAYERS.subList(0, i).stream().map(l -> l.get(0)).toArray(String[]::new);
            arch = arch.whereLayer(LAYERS.get(i).get(0)).mayOnlyBeAccessedByLayers(above);
        }
        return arch.because("dependencies point one way, from cli down to config (docs/ARCHITECTURE.md)");
    }

    static ArchRule queueStaysBelowTheEngine(String root) {
        return noClasses()
                .that()
                .resideInAPackage(root + ".queue..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(packages(
                        root,
                        List.of(
                                "app..",
                                "pool..",
                                "schedule..",
                                "runtime..",
                                "workflow..",
                                "action..",
                                "secret..",
                                "observe..",
                                "http..",
                                "console..",
                                "cli..")))
                .because("the queue is a store; the engine uses it, never the reverse");
    }

    static ArchRule runtimeUsesOnlyTheStorePort(String root) {
        return noClasses()
                .that()
                .resideInAPackage(root + ".runtime..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(packages(root, List.of("queue.jdbc..", "queue.postgres..", "queue.sqlite..")))
                .because("the runtime talks to the ExecutionStore port, not to a database");
    }

    /**
     * The store's port speaks in its own types: only the handle of a caller's transaction ({@code
     * SubmitTransaction}) wraps a JDBC connection.
     */
    static ArchRule storePortSpeaksNoJdbc(String root) {
        return noClasses()
                .that()
                .resideInAPackage(root + ".queue")
                .and()
                .doNotHaveSimpleName("SubmitTransaction")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("java.sql..")
                .because("callers of the store see its roles and value types, never a connection");
    }

    /**
     * The parts of the pool on the hot path (claim loop, heartbeater, result publisher) and the
     * maintainer depend on the narrow role they use, never on the whole {@code ExecutionStore}, so
     * they can run against the in-memory lease store.
     */
    static ArchRule poolPartsUseTheirRoleOnly(String root) {
        return noClasses()
                .that()
                .haveNameMatching(root.replace(".", "\\.")
                        + "\\.pool\\.(ClaimLoop|Heartbeater|ResultPublisher|Maintainer)(\\$.*)?")
                .should()
                .dependOnClassesThat()
                .haveSimpleName("ExecutionStore")
                .because("the hot path needs only LeaseStore and the maintainer only MaintenanceStore");
    }

    static ArchRule engineIsIndependentOfConfiguration(String root) {
        return noClasses()
                .that()
                .resideInAnyPackage(packages(root, List.of("runtime..", "workflow..", "action..")))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(packages(root, List.of("config..")))
                .because("the workflow engine takes its own option records, so it can be embedded and tested "
                        + "without the worker's configuration tree");
    }

    static ArchRule noGrabBagNames(String root) {
        return noClasses()
                .that()
                .resideInAPackage(root + "..")
                .should()
                .haveSimpleNameContaining("Util")
                .orShould()
                .haveSimpleNameContaining("Helper")
                .orShould()
                .haveSimpleNameContaining("Manager")
                .orShould()
                .resideInAnyPackage(root + "..util..", root + "..common..")
                .because("a class is named for the thing it is (STYLE.md)");
    }

    /** Every production class lives in a layer, so a new package has to be placed on purpose. */
    static ArchRule everyPackageIsInALayer(String root) {
        String[] all = LAYERS.stream()
                .flatMap(l -> l.subList(1, l.size()).stream())
                .map(p -> root + "." + p)
                .toArray(String[]::new);
        return classes()
                .that()
                .resideInAPackage(root + "..")
                .should()
                .resideInAnyPackage(all)
                .because("a new package must be given its place in ArchitectureTest.LAYERS and docs/ARCHITECTURE.md");
    }

    private static String[] packages(String root, List<String> relative) {
        return relative.stream().map(p -> root + "." + p).toArray(String[]::new);
    }

    static Stream<ArchRule> allRules(String root) {
        return Stream.of(
                layers(root),
                queueStaysBelowTheEngine(root),
                runtimeUsesOnlyTheStorePort(root),
                storePortSpeaksNoJdbc(root),
                poolPartsUseTheirRoleOnly(root),
                engineIsIndependentOfConfiguration(root),
                noGrabBagNames(root),
                everyPackageIsInALayer(root));
    }

    @Test
    void layersDependOnlyDownward() {
        layers(ROOT).check(production);
    }

    @Test
    void queueNeverDependsOnTheEngine() {
        queueStaysBelowTheEngine(ROOT).check(production);
    }

    @Test
    void runtimeNeverTouchesAStoreImplementation() {
        runtimeUsesOnlyTheStorePort(ROOT).check(production);
    }

    @Test
    void theStorePortHandsOutNoConnection() {
        storePortSpeaksNoJdbc(ROOT).check(production);
    }

    @Test
    void theHotPathAndTheMaintainerDependOnTheirRoleOnly() {
        poolPartsUseTheirRoleOnly(ROOT).check(production);
    }

    @Test
    void theWorkflowEngineNeverReadsTheWorkerConfiguration() {
        engineIsIndependentOfConfiguration(ROOT).check(production);
    }

    @Test
    void noUtilHelperOrManagerClassesAndNoUtilOrCommonPackages() {
        noGrabBagNames(ROOT).check(production);
    }

    @Test
    void everyProductionPackageHasALayer() {
        everyPackageIsInALayer(ROOT).check(production);
    }

    // The same rules against classes that break them on purpose.

    private static String violations(ArchRule rule) {
        EvaluationResult result = rule.evaluate(fixture);
        assertThat(result.hasViolation())
                .as("rule should report a violation: %s", rule.getDescription())
                .isTrue();
        return String.join("\n", result.getFailureReport().getDetails());
    }

    @Test
    void aQueueClassUsingThePoolIsAReversedArrow() {
        String report = violations(layers(FIXTURE_ROOT));

        assertThat(report).contains("archfixture.queue.FixtureStore").contains("archfixture.pool.FixturePool");
        assertThat(violations(queueStaysBelowTheEngine(FIXTURE_ROOT))).contains("FixtureStore");
    }

    @Test
    void configUsingTheCommandLineIsAReversedArrow() {
        assertThat(violations(layers(FIXTURE_ROOT)))
                .contains("archfixture.config.FixtureSettings")
                .contains("archfixture.cli.FixtureCommand");
    }

    @Test
    void allowedDirectionsAreNotReported() {
        String report = violations(layers(FIXTURE_ROOT));

        // Each violation line starts with the accessing class; the downward users never appear there.
        assertThat(report.lines())
                .isNotEmpty()
                .noneMatch(l -> l.matches("^\\S+ <io\\.nebula\\.worker\\.archfixture\\.(pool|cli)\\..*"));
    }

    @Test
    void runtimeUsingAPostgresClassIsCaught() {
        assertThat(violations(runtimeUsesOnlyTheStorePort(FIXTURE_ROOT)))
                .contains("archfixture.runtime.FixtureRunner")
                .contains("archfixture.queue.postgres.FixturePgStore");
    }

    @Test
    void aPortHandingOutAConnectionIsCaught() {
        assertThat(violations(storePortSpeaksNoJdbc(FIXTURE_ROOT)))
                .contains("archfixture.queue.ExecutionStore")
                .contains("java.sql.Connection");
    }

    @Test
    void aHotPathPartUsingTheWholeStoreIsCaught() {
        assertThat(violations(poolPartsUseTheirRoleOnly(FIXTURE_ROOT)))
                .contains("archfixture.pool.Heartbeater")
                .contains("archfixture.queue.ExecutionStore");
    }

    @Test
    void grabBagNamesAndPackagesAreCaught() {
        assertThat(violations(noGrabBagNames(FIXTURE_ROOT))).contains("archfixture.common.RetryHelper");
    }
}
