package dev.pulse.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module rules of DESIGN.md, checked on every build: services never depend on each other,
 * the shared contract depends on no service, the HTTP edge ({@code http-edge}) depends on the
 * contract only and serves the two HTTP services only, and the embedded infrastructure reaches a
 * runtime classpath only through the CLI.
 */
class ArchitectureTest {
    static final Map<String, String> SERVICES = Map.of(
            "ingest-api", "dev.pulse.api..",
            "ingest-worker", "dev.pulse.worker..",
            "lake-query", "dev.pulse.query..");
    /** The services that answer HTTP, and so may use the HTTP edge. */
    static final Set<String> HTTP_SERVICES = Set.of("ingest-api", "lake-query");
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
    void servicesAndTheContractNeverDependOnTheCliOrTheEmbeddedStack() {
        noClasses().that().resideInAnyPackage("dev.pulse.api..", "dev.pulse.worker..", "dev.pulse.query..", "dev.pulse.schemas..", "dev.pulse.edge..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pulse.cli..", "dev.pulse.devstack..", "kafka.server..", "io.zonky..")
                .check(classes);
    }

    @Test
    void theContractDependsOnNoService() {
        noClasses().that().resideInAPackage("dev.pulse.schemas..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pulse.api..", "dev.pulse.worker..", "dev.pulse.query..", "dev.pulse.edge..")
                .check(classes);
    }

    @Test
    void theHttpEdgeDependsOnTheContractOnly() {
        noClasses().that().resideInAPackage("dev.pulse.edge..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pulse.api..", "dev.pulse.worker..", "dev.pulse.query..", "dev.pulse.cli..")
                .because("http-edge is a library of the HTTP services: it knows the contract (schemas), never a service").check(classes);
    }

    @Test
    void onlyTheHttpServicesUseTheHttpEdge() {
        noClasses().that().resideInAnyPackage("dev.pulse.worker..", "dev.pulse.devstack..")
                .should().dependOnClassesThat().resideInAPackage("dev.pulse.edge..")
                .because("ingest-worker and devstack answer no HTTP").check(classes);
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
     * service, only the HTTP services name the HTTP edge, and the edge names the contract only.
     */
    @Test
    void noServicePomDependsOnAnotherServiceModule() throws Exception {
        for (String module : SERVICES.keySet()) {
            List<String> allowed = HTTP_SERVICES.contains(module)
                    ? List.of("pulse-schemas", "pulse-devstack", "pulse-http-edge") : List.of("pulse-schemas", "pulse-devstack");
            checkPulseDependencies(module, allowed);
        }
        checkPulseDependencies("http-edge", List.of("pulse-schemas"));
    }

    private static void checkPulseDependencies(String module, List<String> allowed) throws Exception {
        Pattern dependency = Pattern.compile("<artifactId>(pulse-[a-z-]+)</artifactId>(?:<version>[^<]*</version>)?(?:<type>[^<]*</type>)?(?:<scope>([a-z]+)</scope>)?");
        String pom = Files.readString(Path.of("..", module, "pom.xml"));
        String dependencies = pom.substring(pom.indexOf("<dependencies>"));
        Matcher m = dependency.matcher(dependencies);
        while (m.find()) {
            String artifact = m.group(1);
            String scope = m.group(2);
            assertThat(allowed).as("%s depends on %s", module, artifact).contains(artifact);
            if (artifact.equals("pulse-devstack")) {
                assertThat(scope).as("%s may use devstack in tests only", module).isEqualTo("test");
            }
        }
    }
}
