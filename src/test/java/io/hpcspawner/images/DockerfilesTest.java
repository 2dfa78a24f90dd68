package io.hpcspawner.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.images.Dockerfile.Instruction;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The project's Dockerfiles keep the rules of deploy-conventions §7.5 (DockerfileRules): every file
 * under dockerfiles/, the four images and the stand-in bases alike. Whether they build and run is
 * scripts/images.sh's job.
 */
class DockerfilesTest {

    static final Path DOCKERFILES = Path.of("dockerfiles");

    /** Every Dockerfile under dockerfiles/ (Dockerfile or NAME.Dockerfile), so a new one is checked too. */
    static List<Path> allDockerfiles() throws IOException {
        try (Stream<Path> files = Files.walk(DOCKERFILES)) {
            return files.filter(f -> f.getFileName().toString().equals("Dockerfile") || f.getFileName().toString().endsWith(".Dockerfile"))
                    .sorted().toList();
        }
    }

    static Dockerfile image(String name) {
        return Dockerfile.read(DOCKERFILES.resolve(name).resolve("Dockerfile"));
    }

    @ParameterizedTest
    @MethodSource("allDockerfiles")
    void keepsTheRules(Path path) {
        Dockerfile file = Dockerfile.read(path);
        List<String> problems = new ArrayList<>();
        problems.addAll(DockerfileRules.basesPinned(file));
        problems.addAll(DockerfileRules.execForm(file));
        problems.addAll(DockerfileRules.noPipeToShell(file));
        problems.addAll(DockerfileRules.noAddOfUrls(file));
        problems.addAll(DockerfileRules.aptCleaned(file));
        problems.addAll(DockerfileRules.pipPinnedWithoutCache(file));
        problems.addAll(DockerfileRules.noSecretNames(file));
        assertThat(problems).isEmpty();
    }

    @Test
    void theFourImagesAndTheStandInBasesAreChecked() throws IOException {
        assertThat(allDockerfiles()).map(Path::toString).contains(
                "dockerfiles/service/Dockerfile", "dockerfiles/proxy/Dockerfile", "dockerfiles/hub/Dockerfile",
                "dockerfiles/singleuser/Dockerfile", "dockerfiles/local-base/hub.Dockerfile");
    }

    @Test
    void servicesRunAsTheNonRootUidsTheChartExpects() {
        // chart/values.yaml securityContexts: spawner 185, hub 1000, proxy 65534
        assertThat(DockerfileRules.runsAs(image("service"), 185)).isEmpty();
        assertThat(DockerfileRules.runsAs(image("hub"), 1000)).isEmpty();
        assertThat(DockerfileRules.runsAs(image("proxy"), 65534)).isEmpty();
    }

    @Test
    void theSingleuserImageSetsNoUser() {
        assertThat(DockerfileRules.noUser(image("singleuser"))).isEmpty();
        assertThat(image("singleuser").finalStage()).extracting(Instruction::keyword).contains("CMD");
    }

    /**
     * Every COPY source exists in the image's build context (as scripts/images.sh and
     * dockerfiles/README.md pass it), and for the repository-root contexts .dockerignore lets it
     * through. target/ is made by ./mvnw package, after the tests: only the .dockerignore half
     * applies to it here; scripts/images.sh builds the image.
     */
    @ParameterizedTest
    @CsvSource({"service, .", "hub, .", "proxy, dockerfiles/proxy", "singleuser, dockerfiles/singleuser"})
    void copiesOnlyWhatItsBuildContextHas(String name, String context) throws IOException {
        Dockerfile file = image(name);
        List<String> allowed = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(l -> l.startsWith("!")).map(l -> l.substring(1).replaceAll("/$", "")).toList();
        List<String> problems = new ArrayList<>();
        for (Instruction copy : file.all("COPY")) {
            List<String> words = Arrays.stream(copy.arguments().split("\\s+")).toList();
            if (words.stream().anyMatch(w -> w.startsWith("--from"))) {
                continue;
            }
            List<String> sources = words.stream().filter(w -> !w.startsWith("--")).toList();
            for (String source : sources.subList(0, sources.size() - 1)) {
                String path = file.expand(source).replaceAll("/$", "");
                if (context.equals(".") && allowed.stream().noneMatch(a -> path.equals(a) || path.startsWith(a + "/"))) {
                    problems.add(file + " " + copy + ": .dockerignore leaves " + path + " out of the build context");
                }
                if (!path.startsWith("target/") && !Files.exists(Path.of(context).resolve(path))) {
                    problems.add(file + " " + copy + ": " + path + " is not in the build context " + context);
                }
            }
        }
        assertThat(problems).isEmpty();
    }
}
