package io.hpcspawner;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.hpcspawner.api.UndeclaredRouteProbe;
import org.junit.jupiter.api.Test;

/** The architecture rule that every route declares who may call it does catch a route without one. */
class RouteSecurityRuleTest {

    @Test
    void aRouteWithoutASecurityDeclarationBreaksTheRule() {
        assertThat(ArchitectureTest.everyRouteDeclaresWhoMayCallIt
                .evaluate(new ClassFileImporter().importClasses(UndeclaredRouteProbe.class)).hasViolation()).isTrue();
    }
}
