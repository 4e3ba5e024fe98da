/**
 * Classes that break the architecture rules on purpose, so {@code ArchitectureTest} can show that
 * its rules catch a reversed arrow. Never referenced by production code.
 */
package io.nebula.worker.archfixture;
