package dev.pulse.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of DESIGN.md, checked on every build: services never depend on each other;
 * the contract ({@code schemas}) depends on no other Pulse module; the control plane
 * ({@code control-plane}) on the contract only; the HTTP edge ({@code http-edge}) on the contract
 * and the control plane's API keys only, and serves the two HTTP services only; ingest-worker
 * never uses the control plane, lake-query only its API keys; and the embedded infrastructure
 * reaches a runtime classpath only through the CLI.
 */
class ArchitectureTest {
    static final Map<String, String> SERVICES = Map.of(
            "ingest-api", "dev.pulse.api..",
            "ingest-worker", "dev.pulse.worker..",
            "lake-query", "dev.pulse.query..");
    static final String[] SERVICE_PACKAGES = {"dev.pulse.api..", "dev.pulse.worker..", "dev.pulse.query.."};
    /** The control plane's one package that http-edge and lake-query may use: API keys. */
    static final String KEYS = "dev.pulse.control.keys";
    /** Any Pulse dependency a pom may declare, in any scope. */
    static final String ANY_SCOPE = "any";
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        // Test code (including the schemas test-jar with the TestStack fixture) may use devstack.
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.pulse");
    }

    @Test
    void aServiceNeverDependsOnAnotherService() {
        SERVICES.forEach((module, pkg) -> SERVICES.values().stream().filter(other -> !other.equals(pkg)).forEach(other ->
                noClasses().that().resideInAPackage(pkg).should().dependOnClassesThat().resideInAPackage(other)
                        .because(module + " meets other services only in Kafka, PostgreSQL and the lake").check(classes)));
    }

    @Test
    void servicesAndLibrariesNeverDependOnTheCliOrTheEmbeddedStack() {
        noClasses().that().resideInAnyPackage("dev.pulse.api..", "dev.pulse.worker..", "dev.pulse.query..", "dev.pulse.schemas..",
                        "dev.pulse.control..", "dev.pulse.edge..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pulse.cli..", "dev.pulse.devstack..", "kafka.server..", "io.zonky..")
                .check(classes);
    }

    @Test
    void theContractDependsOnNoOtherPulseModule() {
        noClasses().that().resideInAPackage("dev.pulse.schemas..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pulse.api..", "dev.pulse.worker..", "dev.pulse.query..",
                        "dev.pulse.edge..", "dev.pulse.control..")
                .because("schemas is the contract every module shares: names, events, tenancy, the read side, config").check(classes);
    }

    @Test
    void theControlPlaneDependsOnTheContractOnly() {
        noClasses().that().resideInAPackage("dev.pulse.control..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVICE_PACKAGES).orShould().dependOnClassesThat().resideInAPackage("dev.pulse.edge..")
                .because("control-plane is a library of ingest-api and the CLI: it knows the contract (schemas), never a service").check(classes);
    }

    @Test
    void theHttpEdgeDependsOnTheContractAndTheControlPlanesKeysOnly() {
        noClasses().that().resideInAPackage("dev.pulse.edge..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pulse.api..", "dev.pulse.worker..", "dev.pulse.query..", "dev.pulse.cli..")
                .because("http-edge is a library of the HTTP services: it knows the contract (schemas), never a service").check(classes);
        noClasses().that().resideInAPackage("dev.pulse.edge..")
                .should().dependOnClassesThat(controlPlaneBeyondKeys())
                .because("http-edge authenticates API keys through dev.pulse.control.keys and uses no other operation").check(classes);
    }

    @Test
    void theWorkerNeverUsesTheControlPlane() {
        noClasses().that().resideInAPackage("dev.pulse.worker..")
                .should().dependOnClassesThat().resideInAPackage("dev.pulse.control..")
                .because("the worker reads what it needs from the contract (dev.pulse.schemas.directory)").check(classes);
    }

    @Test
    void lakeQueryUsesTheControlPlaneOnlyToAuthenticateKeys() {
        noClasses().that().resideInAPackage("dev.pulse.query..")
                .should().dependOnClassesThat(controlPlaneBeyondKeys())
                .because("lake-query reads datasets through the contract (dev.pulse.schemas.directory); it only authenticates keys")
                .check(classes);
    }

    @Test
    void onlyTheHttpServicesUseTheHttpEdge() {
        noClasses().that().resideInAnyPackage("dev.pulse.worker..", "dev.pulse.devstack..", "dev.pulse.control..", "dev.pulse.schemas..")
                .should().dependOnClassesThat().resideInAPackage("dev.pulse.edge..")
                .because("ingest-worker and devstack answer no HTTP, and the libraries below the edge know nothing of it").check(classes);
    }

    private static DescribedPredicate<JavaClass> controlPlaneBeyondKeys() {
        return JavaClass.Predicates.resideInAPackage("dev.pulse.control..")
                .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage(KEYS)))
                .as("are in the control plane outside " + KEYS);
    }

    /**
     * Only {@code pulse dev} touches the embedded stack, and nothing else links to the classes that
     * do: the production artifact has no devstack (see ProductionArtifactIT), and {@link Pulse}
     * loads the command by name when the stack is on the classpath.
     */
    @Test
    void onlyThePulseDevCommandUsesTheEmbeddedStackAndNothingElseLinksToIt() {
        String devCommand = "dev\\.pulse\\.cli\\.DevCommand(\\$.*)?";
        noClasses().that().resideInAPackage("dev.pulse.cli..").and().haveNameNotMatching(devCommand)
                .should().dependOnClassesThat().resideInAnyPackage("dev.pulse.devstack..", "kafka..", "io.zonky..")
                .because("the production artifact carries no development infrastructure").check(classes);
        // The DevCommand classes that reach devstack, directly or through each other.
        Set<String> linking = new HashSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (JavaClass c : classes) {
                if (c.getName().matches(devCommand) && !linking.contains(c.getName()) && c.getDirectDependenciesFromSelf().stream()
                        .map(d -> d.getTargetClass()).anyMatch(t -> t.getPackageName().startsWith("dev.pulse.devstack")
                                || linking.contains(t.getName()))) {
                    linking.add(c.getName());
                    grew = true;
                }
            }
        }
        assertThat(linking).contains("dev.pulse.cli.DevCommand");
        noClasses().that().resideInAPackage("dev.pulse.cli..").and().haveNameNotMatching(devCommand)
                .should().dependOnClassesThat().haveNameMatching(String.join("|", linking.stream().map(java.util.regex.Pattern::quote).toList()))
                .because("Pulse loads pulse dev by name, only when devstack is on the classpath").check(classes);
    }

    @Test
    void theCliPomKeepsTheEmbeddedStackOffTheRuntimeClasspath() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        assertThat(pom).as("cli/pom.xml: devstack must be provided (compile and tests), never runtime")
                .containsPattern("<artifactId>pulse-devstack</artifactId><scope>provided</scope>");
    }

    /**
     * The Maven view of the same rules, test scope included: a service pom names no other
     * service; only the HTTP services name the HTTP edge; ingest-worker names the control plane
     * for its tests' fixture only; the edge names the contract and the control plane; the control
     * plane names the contract; the contract names no Pulse module. devstack is for tests only.
     */
    @Test
    void everyPomNamesOnlyTheModulesItMayDependOn() throws Exception {
        checkPulseDependencies("ingest-api", Map.of("pulse-schemas", ANY_SCOPE, "pulse-control-plane", ANY_SCOPE, "pulse-http-edge", ANY_SCOPE,
                "pulse-devstack", "test"));
        checkPulseDependencies("lake-query", Map.of("pulse-schemas", ANY_SCOPE, "pulse-control-plane", ANY_SCOPE, "pulse-http-edge", ANY_SCOPE,
                "pulse-devstack", "test"));
        checkPulseDependencies("ingest-worker", Map.of("pulse-schemas", ANY_SCOPE, "pulse-control-plane", "test", "pulse-devstack", "test"));
        checkPulseDependencies("http-edge", Map.of("pulse-schemas", ANY_SCOPE, "pulse-control-plane", ANY_SCOPE));
        checkPulseDependencies("control-plane", Map.of("pulse-schemas", ANY_SCOPE, "pulse-devstack", "test"));
        checkPulseDependencies("schemas", Map.of());
        assertThat(SERVICES.keySet()).as("every service's pom is checked above").containsExactlyInAnyOrder("ingest-api", "lake-query", "ingest-worker");
    }

    /** Every {@code pulse-*} dependency of the module's pom is in {@code allowed}, in the scope it names. */
    private static void checkPulseDependencies(String module, Map<String, String> allowed) throws Exception {
        Pattern dependency = Pattern.compile("<artifactId>(pulse-[a-z-]+)</artifactId>(?:<version>[^<]*</version>)?(?:<type>[^<]*</type>)?(?:<scope>([a-z]+)</scope>)?");
        String pom = Files.readString(Path.of("..", module, "pom.xml"));
        int dependencies = pom.indexOf("<dependencies>");
        if (dependencies < 0) {
            return;
        }
        Matcher m = dependency.matcher(pom.substring(dependencies));
        while (m.find()) {
            String artifact = m.group(1);
            String scope = m.group(2);
            assertThat(allowed).as("%s depends on %s", module, artifact).containsKey(artifact);
            if (!allowed.get(artifact).equals(ANY_SCOPE)) {
                assertThat(scope).as("%s may use %s in tests only", module, artifact).isEqualTo(allowed.get(artifact));
            }
        }
    }
}
