package dev.mpflow.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependencies allowed between mpflow's packages, checked over the production classes of every module (this
 * module depends on all of them). A rule whose subject matches no class fails too, so a package that went missing
 * from the class path cannot make a rule pass by default.
 *
 * <p>Plain JUnit tests rather than ArchUnit's own test engine, so that they run under any test filter.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages("dev.mpflow");
    }

    /** The wire protocol stands alone, so that both ends (coordinator and worker) can share it. */
    @Test
    void protocolDependsOnNothingElseOfMpflow() {
        noClasses()
                .that().resideInAPackage("dev.mpflow.protocol..")
                .should().dependOnClassesThat(resideInAPackage("dev.mpflow..")
                        .and(not(resideInAPackage("dev.mpflow.protocol.."))))
                .as("no classes in dev.mpflow.protocol.. should depend on any other class of dev.mpflow..")
                .check(classes);
    }

    /** The library (API, events, SPI and machinery) knows neither the command line nor a concrete store. */
    @Test
    void libraryDependsOnNeitherCliNorStore() {
        noClasses()
                .that().resideInAnyPackage("dev.mpflow", "dev.mpflow.event..", "dev.mpflow.spi..",
                        "dev.mpflow.internal..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.mpflow.cli..", "dev.mpflow.store..")
                .check(classes);
    }

    /** A store plugs in through the SPI alone: no command line, no internals of the core. */
    @Test
    void storeDependsOnNeitherCliNorInternals() {
        noClasses()
                .that().resideInAPackage("dev.mpflow.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.mpflow.cli..", "dev.mpflow.internal..")
                .check(classes);
    }

    /** Only the command line uses picocli and Jackson, so that the library does not bring them to its users. */
    @Test
    void onlyTheCliUsesPicocliOrJackson() {
        noClasses()
                .that().resideInAPackage("dev.mpflow..")
                .and().resideOutsideOfPackage("dev.mpflow.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..", "com.fasterxml.jackson..")
                .check(classes);
    }
}
