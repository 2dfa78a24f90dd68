package io.hpcspawner.images;

import io.hpcspawner.images.Dockerfile.Instruction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules every Dockerfile of the project keeps (deploy-conventions §7.5), each returning what
 * breaks it as readable messages (empty: the rule holds).
 */
final class DockerfileRules {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** name:tag or name:tag@sha256:<64 hex>, the tag not "latest". */
    private static final Pattern PINNED = Pattern.compile("[^@\\s]+:(?!latest(?:@|$))[\\w][\\w.-]*(@sha256:[0-9a-f]{64})?");
    private static final Pattern PIPE_TO_SHELL = Pattern.compile("\\b(curl|wget)\\b[^;&|]*\\|\\s*(sudo\\s+)?(ba|da|z)?sh\\b|\\b(curl|wget)\\b[^;&|]*\\|\\s*(sudo\\s+)?python3?\\b");
    private static final Pattern URL = Pattern.compile("(?i)\\b(https?|ftp)://|\\bgit@");
    /** Words of ARG/ENV names that say the value is a secret (a build arg or env var ends up in the image's history). */
    private static final Set<String> SECRET_WORDS = Set.of("SECRET", "TOKEN", "PASSWORD", "PASSWD", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATE");

    private DockerfileRules() {
    }

    /** Every FROM names an earlier stage, or an image pinned by tag (not latest), with a well-formed digest if it has one. */
    static List<String> basesPinned(Dockerfile file) {
        List<String> problems = new ArrayList<>();
        List<String> stages = file.stageNames();
        for (Instruction from : file.all("FROM")) {
            String image = file.expand(from.arguments().split("\\s+")[0]);
            if (stages.contains(image)) {
                continue;
            }
            if (image.contains("$")) {
                problems.add(file + " " + from + ": the base " + image + " has no ARG default");
            } else if (!PINNED.matcher(image).matches()) {
                problems.add(file + " " + from + ": the base " + image + " is not pinned (name:tag or name:tag@sha256:<64 hex>, never latest)");
            }
        }
        return problems;
    }

    /** ENTRYPOINT and CMD in exec form: a JSON array of strings (a shell form would run under /bin/sh and not get signals). */
    static List<String> execForm(Dockerfile file) {
        List<String> problems = new ArrayList<>();
        for (Instruction i : file.instructions()) {
            if (!i.keyword().equals("ENTRYPOINT") && !i.keyword().equals("CMD")) {
                continue;
            }
            try {
                JsonNode array = JSON.readTree(i.arguments());
                boolean strings = array.isArray() && !array.isEmpty();
                for (JsonNode element : array) {
                    strings &= element.isTextual();
                }
                if (!strings) {
                    problems.add(file + " " + i + ": not a JSON array of strings (exec form)");
                }
            } catch (Exception e) {
                problems.add(file + " " + i + ": not in exec form (a JSON array)");
            }
        }
        return problems;
    }

    /** The final stage's USER is numeric (uid:gid) and its uid the expected one, not 0. */
    static List<String> runsAs(Dockerfile file, int uid) {
        List<Instruction> users = file.finalStage().stream().filter(i -> i.keyword().equals("USER")).toList();
        if (users.isEmpty()) {
            return List.of(file + ": the final stage sets no USER (expected " + uid + ")");
        }
        Instruction user = users.get(users.size() - 1);
        String value = file.expand(user.arguments().strip());
        if (!value.matches("\\d+(:\\d+)?")) {
            return List.of(file + " " + user + ": USER is not numeric (uid:gid); Kubernetes' runAsNonRoot cannot check a name");
        }
        int actual = Integer.parseInt(value.split(":")[0]);
        if (actual == 0 || actual != uid) {
            return List.of(file + " " + user + ": runs as uid " + actual + ", expected " + uid + " (the chart's securityContext)");
        }
        return List.of();
    }

    /** No USER at all: HPC runtimes run the image as the calling user. */
    static List<String> noUser(Dockerfile file) {
        return file.all("USER").stream().map(u -> file + " " + u + ": sets USER; HPC container runtimes run the image as the calling user").toList();
    }

    /** No `curl ... | sh` (or wget, or into python): downloads are checked, or not made. */
    static List<String> noPipeToShell(Dockerfile file) {
        return file.all("RUN").stream().filter(r -> PIPE_TO_SHELL.matcher(r.arguments()).find())
                .map(r -> file + " " + r + ": pipes a download into a shell").toList();
    }

    /** ADD never fetches a URL (no checksum, no cache control): download in a RUN with a checksum, or COPY. */
    static List<String> noAddOfUrls(Dockerfile file) {
        return file.all("ADD").stream().filter(a -> URL.matcher(a.arguments()).find())
                .map(a -> file + " " + a + ": ADD of a URL").toList();
    }

    /** apt-get install only with --no-install-recommends, and the package lists removed in the same RUN. */
    static List<String> aptCleaned(Dockerfile file) {
        List<String> problems = new ArrayList<>();
        for (Instruction run : file.all("RUN")) {
            String command = run.arguments();
            if (!command.matches("(?s).*\\bapt-get\\s+(-\\S+\\s+)*install\\b.*")) {
                continue;
            }
            if (!command.contains("--no-install-recommends")) {
                problems.add(file + " " + run + ": apt-get install without --no-install-recommends");
            }
            if (!command.matches("(?s).*\\brm\\s+-(rf|fr)\\s+/var/lib/apt/lists/\\*.*")) {
                problems.add(file + " " + run + ": the apt lists stay in the image (rm -rf /var/lib/apt/lists/* in the same RUN)");
            }
        }
        return problems;
    }

    /** Every pip install has --no-cache-dir and installs only pinned (==) packages, requirement files or local paths. */
    static List<String> pipPinnedWithoutCache(Dockerfile file) {
        List<String> problems = new ArrayList<>();
        for (Instruction run : file.all("RUN")) {
            for (String command : run.arguments().split("&&|;|\\|\\|")) {
                String[] words = command.strip().split("\\s+");
                int install = indexOfPipInstall(words);
                if (install < 0) {
                    continue;
                }
                if (!command.contains("--no-cache-dir")) {
                    problems.add(file + " " + run + ": pip install without --no-cache-dir");
                }
                for (int w = install + 1; w < words.length; w++) {
                    String word = words[w].replace("\"", "").replace("'", "");
                    if (Set.of("-r", "--requirement", "-c", "--constraint").contains(word)) {
                        w++; // the file that follows
                    } else if (!word.startsWith("-") && !word.startsWith("$") && !word.startsWith("/") && !word.startsWith(".")
                            && !word.contains("==")) {
                        problems.add(file + " " + run + ": pip installs " + word + " without a pinned version (==)");
                    }
                }
            }
        }
        return problems;
    }

    private static int indexOfPipInstall(String[] words) {
        for (int w = 0; w + 1 < words.length; w++) {
            if (words[w].matches("(.*/)?pip3?") && words[w + 1].equals("install")) {
                return w + 1;
            }
        }
        return -1;
    }

    /** No ARG or ENV whose name says it holds a secret: both are kept in the image's metadata and history. */
    static List<String> noSecretNames(Dockerfile file) {
        List<String> problems = new ArrayList<>();
        for (Instruction i : file.instructions()) {
            List<String> names = switch (i.keyword()) {
                case "ARG" -> List.of(i.arguments().split("=", 2)[0].strip());
                case "ENV" -> envNames(i.arguments());
                default -> List.of();
            };
            for (String name : names) {
                for (String word : name.toUpperCase().split("[_.-]")) {
                    if (SECRET_WORDS.contains(word)) {
                        problems.add(file + " " + i + ": " + name + " looks like a secret; pass secrets at run time (or as a build secret mount)");
                        break;
                    }
                }
            }
        }
        return problems;
    }

    /** The names an ENV sets: `ENV A=1 B=2`, or the legacy `ENV A 1`. */
    private static List<String> envNames(String arguments) {
        if (!arguments.matches("^[A-Za-z_][A-Za-z0-9_]*=.*")) {
            return List.of(arguments.split("\\s+")[0]);
        }
        List<String> names = new ArrayList<>();
        var m = Pattern.compile("(?:^|\\s)([A-Za-z_][A-Za-z0-9_]*)=").matcher(arguments);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
