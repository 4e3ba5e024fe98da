package io.nebula.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the runtime's layers pointing one way: runtime → workflow → action → observe/queue. */
class RuntimeArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.nebula.worker");

    private static final String[] OUTSIDE = {
        "io.nebula.worker.pool..",
        "io.nebula.worker.http..",
        "io.nebula.worker.cli..",
        "io.nebula.worker.config..",
        "io.nebula.worker.queue.jdbc..",
        "io.nebula.worker.queue.postgres..",
        "io.nebula.worker.queue.sqlite.."
    };

    @Test
    void actionsDependOnNeitherWorkflowsNorTheRuntime() {
        noClasses()
                .that()
                .resideInAPackage("io.nebula.worker.action..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.nebula.worker.workflow..", "io.nebula.worker.runtime..")
                .check(CLASSES);
    }

    @Test
    void workflowsDoNotDependOnTheRuntime() {
        noClasses()
                .that()
                .resideInAPackage("io.nebula.worker.workflow..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.nebula.worker.runtime..")
                .check(CLASSES);
    }

    @Test
    void theRuntimeLayersStayOutOfPoolStorageAndConfiguration() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.nebula.worker.runtime..", "io.nebula.worker.workflow..", "io.nebula.worker.action..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(OUTSIDE)
                .check(CLASSES);
    }

    @Test
    void noGrabBagClassNames() {
        classes()
                .that()
                .resideInAnyPackage(
                        "io.nebula.worker.runtime..", "io.nebula.worker.workflow..", "io.nebula.worker.action..")
                .should()
                .haveSimpleNameNotEndingWith("Util")
                .andShould()
                .haveSimpleNameNotEndingWith("Utils")
                .andShould()
                .haveSimpleNameNotEndingWith("Helper")
                .andShould()
                .haveSimpleNameNotEndingWith("Manager")
                .check(CLASSES);
    }
}
