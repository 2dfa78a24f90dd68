package io.hpcspawner;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethod;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.quarkus.security.Authenticated;
import io.quarkus.security.PermissionsAllowed;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
            .and().resideOutsideOfPackage("..scheduler.guard..")
            .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("io.hpcspawner.api..", "..spawn..",
                    "..store..", "..watch..").and(DescribedPredicate.not(
                            JavaClass.Predicates.resideInAnyPackage("..spawn.port..", "..spawn.model.."))))
            .because("adapters translate wire formats and errors; they hold no domain rules (they implement and use the"
                    + " domain's ports and model)");

    @ArchTest
    static final ArchRule theGuardAppliesTheDomainsRulesOnly = noClasses().that().resideInAPackage("..scheduler.guard..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.api..", "..spawn.service..", "..store..",
                    "..watch..", "..scheduler.slurmrestd..", "..scheduler.firecrest..")
            .because("the guard wraps every backend through the scheduler port; it may apply the domain's pure rules"
                    + " (the one lost-submit rule), never a service or an adapter");

    @ArchTest
    static final ArchRule domainKnowsOnlyPorts = noClasses().that().resideInAPackage("..spawn..")
            .should().dependOnClassesThat().resideInAnyPackage("..api..", "..watch..", "..scheduler.slurmrestd..",
                    "..scheduler.firecrest..")
            .because("the domain depends on the scheduler port, not on an adapter, and not on who calls it");

    @ArchTest
    static final ArchRule lifecycleRulesArePure = classes().that().resideInAPackage("io.hpcspawner.spawn.rules..")
            .should().onlyDependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("java..",
                    "io.hpcspawner.spawn.rules..", "io.hpcspawner.spawn.model..")
                    .or(JavaClass.Predicates.belongToAnyOf(JobInfo.class, JobPhase.class)))
            .because("the lifecycle's rules are pure: no framework, no logging, no I/O (of the ports, only the"
                    + " scheduler's job values)");

    @ArchTest
    static final ArchRule theModelStandsOnItsOwn = noClasses().that().resideInAPackage("io.hpcspawner.spawn.model..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.spawn.rules..",
                    "io.hpcspawner.spawn.port..", "io.hpcspawner.spawn.service..")
            .because("the server model is what the rules, the ports and the services speak; it speaks none of them");

    @ArchTest
    static final ArchRule portsSpeakTheModelOnly = noClasses().that().resideInAPackage("io.hpcspawner.spawn.port..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.spawn.rules..",
                    "io.hpcspawner.spawn.service..")
            .because("a port is what an adapter implements: it names model values, never a rule or a service");

    @ArchTest
    static final ArchRule theDomainIsSplitByLayer = noClasses().should().resideInAPackage("io.hpcspawner.spawn")
            .because("every domain class is in spawn.model, spawn.rules, spawn.port or spawn.service");

    @ArchTest
    static final ArchRule noCyclesInsideTheDomain = slices().matching("io.hpcspawner.spawn.(*)..").should()
            .beFreeOfCycles().because("model <- rules <- service, and ports between model and service");

    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().matching("io.hpcspawner.(*)..").should().beFreeOfCycles()
            .because("each package can be understood, tested and replaced with only what it depends on");

    @ArchTest
    static final ArchRule theDomainReadsNoConfiguration = noClasses().that().resideInAnyPackage("io.hpcspawner.spawn..",
            "io.hpcspawner.watch..").should().dependOnClassesThat().resideInAPackage("io.hpcspawner.config..")
            .because("app.DomainSettings resolves the configuration once into the domain's own values (spawn.model),"
                    + " so the domain's rules are tested with plain values");

    @ArchTest
    static final ArchRule configurationStandsAlone = noClasses().that().resideInAPackage("io.hpcspawner.config..")
            .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.hpcspawner..")
                    .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("io.hpcspawner.config.."))))
            .because("the settings as the site writes them; the composition root (app) turns them into the values the"
                    + " domain, the adapters and credentials take (app.DomainSettings, app.ServiceWiring)");

    @ArchTest
    static final ArchRule storeKnowsOnlyTheDomainModel = noClasses().that().resideInAPackage("..store..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.api..", "io.hpcspawner.watch..",
                    "io.hpcspawner.scheduler..") // the project's own: the Kubernetes store uses io.fabric8.kubernetes.api
            .because("the store keeps records; it does not act on them");

    /**
     * The adapters, by rule rather than by name: each package right under {@code scheduler} (a
     * backend; {@code guard} wraps every backend) and the store. A new backend's
     * package is covered without touching this test.
     */
    private static final Pattern ADAPTER = Pattern.compile("io\\.hpcspawner\\.(scheduler\\.(?!guard\\b)\\w+|store)(\\..*)?");

    private static final DescribedPredicate<JavaClass> IN_AN_ADAPTER = DescribedPredicate.describe(
            "are in an adapter (a scheduler backend or the store)", c -> ADAPTER.matcher(c.getPackageName()).matches());

    private static final SliceAssignment ADAPTERS = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            Matcher m = ADAPTER.matcher(c.getPackageName());
            return m.matches() ? SliceIdentifier.of(m.group(1)) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "adapters";
        }
    };

    @ArchTest
    static final ArchRule onlyTheCompositionRootNamesAnAdapter = noClasses().that(DescribedPredicate.not(IN_AN_ADAPTER))
            .and().resideOutsideOfPackage("io.hpcspawner.app..").should().dependOnClassesThat(IN_AN_ADAPTER)
            .because("app.ServiceWiring is the one place that chooses implementations; everything else uses the ports");

    @ArchTest
    static final ArchRule adaptersDoNotKnowEachOther = slices().assignedFrom(ADAPTERS).should().notDependOnEachOther()
            .because("each backend and the store stand alone, so one can be added or removed without the others");

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
    static final ArchRule theHealthCheckGoesThroughTheFrontDoor = noClasses().that().resideInAPackage("io.hpcspawner.probe..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.api..", "io.hpcspawner.scheduler..",
                    "io.hpcspawner.store..", "io.hpcspawner.watch..", "io.hpcspawner.spawn.service..",
                    "io.hpcspawner.config..", "io.hpcspawner.credentials..")
            .because("the end-to-end check starts a server the way a user does, through the hub; it only reads the"
                    + " service's record of it (given by the composition root), never a shortcut into the service");

    @ArchTest
    static final ArchRule watcherDoesNotServeTheApi = noClasses().that().resideInAPackage("..watch..")
            .should().dependOnClassesThat().resideInAPackage("io.hpcspawner.api..");

    @ArchTest
    static final ArchRule boundedHttpStandsAlone = noClasses().that().resideInAPackage("io.hpcspawner.http..")
            .should().dependOnClassesThat().resideInAnyPackage("io.hpcspawner.api..", "io.hpcspawner.spawn..",
                    "io.hpcspawner.scheduler..", "io.hpcspawner.credentials..", "io.hpcspawner.store..",
                    "io.hpcspawner.watch..", "io.hpcspawner.config..")
            .because("every outbound client (adapters and credentials alike) uses it, so it uses none of them");

    private static final List<Class<? extends Annotation>> HTTP_METHODS = List.of(GET.class, POST.class, PUT.class,
            DELETE.class, PATCH.class, HEAD.class, OPTIONS.class);
    private static final List<Class<? extends Annotation>> SECURITY_RULES = List.of(RolesAllowed.class,
            PermissionsAllowed.class, PermitAll.class, DenyAll.class, Authenticated.class);

    private static final DescribedPredicate<JavaMethod> ROUTES = DescribedPredicate.describe("are HTTP routes",
            m -> HTTP_METHODS.stream().anyMatch(m::isAnnotatedWith));

    private static final ArchCondition<JavaMethod> DECLARE_WHO_MAY_CALL = new ArchCondition<>(
            "declare who may call them (@RolesAllowed, @PermissionsAllowed, @PermitAll, ... on the method or its class)") {
        @Override
        public void check(JavaMethod route, ConditionEvents events) {
            boolean declared = SECURITY_RULES.stream().anyMatch(a -> route.isAnnotatedWith(a) || route.getOwner().isAnnotatedWith(a));
            events.add(new SimpleConditionEvent(route, declared, route.getFullName()
                    + (declared ? " declares" : " does not declare") + " who may call it"));
        }
    };

    @ArchTest
    static final ArchRule everyRouteDeclaresWhoMayCallIt = methods().that(ROUTES).should(DECLARE_WHO_MAY_CALL)
            .because("API security is declared once per route (docs/security.md); the server also refuses an"
                    + " undeclared route to everyone (quarkus.security.jaxrs.deny-unannotated-endpoints)");
}
