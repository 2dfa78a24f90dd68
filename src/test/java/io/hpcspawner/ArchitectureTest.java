package io.hpcspawner;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layer rules of docs/architecture.md, checked on every build. */
@AnalyzeClasses(packages = "io.hpcspawner", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule apiReachesNoAdapterOrStore = noClasses().that().resideInAPackage("..api..")
            .should().dependOnClassesThat().resideInAnyPackage("..scheduler.slurmrestd..", "..scheduler.firecrest..",
                    "..store..", "..watch..")
            .because("the API is thin: it calls the spawn service, never an adapter or the store");

    @ArchTest
    static final ArchRule adaptersReachNoDomainOrApi = noClasses().that().resideInAPackage("..scheduler..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.api..", "..spawn..", "..store..", "..watch..")
            .because("adapters translate wire formats and errors; they hold no domain rules");

    @ArchTest
    static final ArchRule domainKnowsOnlyPorts = noClasses().that().resideInAPackage("..spawn..")
            .should().dependOnClassesThat().resideInAnyPackage("..api..", "..watch..", "..scheduler.slurmrestd..",
                    "..scheduler.firecrest..")
            .because("the domain depends on the scheduler port, not on an adapter, and not on who calls it");

    @ArchTest
    static final ArchRule storeKnowsOnlyTheDomainModel = noClasses().that().resideInAPackage("..store..")
            .should().dependOnClassesThat().resideInAnyPackage("..api..", "..watch..", "..scheduler..")
            .because("the store keeps records; it does not act on them");

    @ArchTest
    static final ArchRule onlyTheCompositionRootPicksSlurmrestd = noClasses().that().resideOutsideOfPackages(
            "..config..", "..scheduler.slurmrestd..").should().dependOnClassesThat()
            .resideInAPackage("..scheduler.slurmrestd..")
            .because("config.ServiceWiring is the one place that chooses implementations");

    @ArchTest
    static final ArchRule onlyTheCompositionRootPicksFirecrest = noClasses().that().resideOutsideOfPackages(
            "..config..", "..scheduler.firecrest..").should().dependOnClassesThat()
            .resideInAPackage("..scheduler.firecrest..")
            .because("config.ServiceWiring is the one place that chooses implementations");

    @ArchTest
    static final ArchRule credentialsStandAlone = noClasses().that().resideInAPackage("..credentials..")
            .should().dependOnClassesThat().resideInAnyPackage("..api..", "..spawn..", "..watch..", "..store..",
                    "..scheduler..")
            .because("token, key and secret handling is used by the domain, adapters and the API, and uses none of them");

    @ArchTest
    static final ArchRule loggingStandsAlone = noClasses().that().resideInAPackage("io.hpcspawner.logging..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.api..", "io.hpcspawner.spawn..",
                    "io.hpcspawner.scheduler..", "io.hpcspawner.credentials..", "io.hpcspawner.store..",
                    "io.hpcspawner.watch..", "io.hpcspawner.config..")
            .because("the log filter treats every record alike and knows nothing of what is logged");

    @ArchTest
    static final ArchRule watcherDoesNotServeTheApi = noClasses().that().resideInAPackage("..watch..")
            .should().dependOnClassesThat().resideInAPackage("io.hpcspawner.api..");

    @ArchTest
    static final ArchRule boundedHttpStandsAlone = noClasses().that().resideInAPackage("io.hpcspawner.http..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.api..", "io.hpcspawner.spawn..",
                    "io.hpcspawner.scheduler..", "io.hpcspawner.credentials..", "io.hpcspawner.store..",
                    "io.hpcspawner.watch..", "io.hpcspawner.config..")
            .because("every outbound client (adapters and credentials alike) uses it, so it uses none of them");
}
