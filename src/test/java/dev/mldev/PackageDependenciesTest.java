package dev.mldev;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The allowed dependencies between mldev's packages (docs/architecture.md): data flows one way, cli -> deploy, serve,
 * image -> runtime -> bundle, with cloud below them; cost owns the types deployments report to it. A package may
 * use the root package {@code dev.mldev} (shared contract types) and the packages listed for it, nothing else of
 * mldev's.
 */
class PackageDependenciesTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.mldev");

    /** Each package (with its subpackages) and the mldev packages it may depend on besides the root package. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "bundle", Set.of(),
            "runtime", Set.of("bundle"),
            "cloud", Set.of(),
            "cost", Set.of("cloud"),
            "serve", Set.of("runtime", "bundle", "cloud"),
            "image", Set.of("bundle", "cloud"),
            "deploy", Set.of("serve", "image", "runtime", "bundle", "cloud", "cost"));

    private static final List<String> PACKAGES =
            List.of("bundle", "runtime", "cloud", "cost", "serve", "image", "deploy", "cli");

    static Stream<Arguments> packages() {
        return ALLOWED.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0} uses only {1}")
    @MethodSource("packages")
    void aPackageUsesOnlyWhatItIsAllowed(String pkg, Set<String> allowed) {
        String[] forbidden = PACKAGES.stream()
                .filter(other -> !other.equals(pkg) && !allowed.contains(other))
                .map(other -> "dev.mldev." + other + "..")
                .toArray(String[]::new);
        noClasses()
                .that()
                .resideInAPackage("dev.mldev." + pkg + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(forbidden)
                .check(MAIN);
    }

    @Test
    void theRootPackageUsesNoOtherMldevPackage() {
        noClasses()
                .that()
                .resideInAPackage("dev.mldev")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        PACKAGES.stream().map(p -> "dev.mldev." + p + "..").toArray(String[]::new))
                .check(MAIN);
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.mldev.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
