package io.hpcspawner.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read into its instructions (continuation lines joined, comments dropped), enough for
 * the rules of {@link DockerfileRules}: not a full parser (no heredocs, no escape directive).
 */
record Dockerfile(String name, List<Instruction> instructions) {

    /** One instruction: its keyword in upper case, its arguments as written, its first line. */
    record Instruction(String keyword, String arguments, int line) {
        @Override
        public String toString() {
            return "line " + line + ": " + keyword + " " + arguments;
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");

    static Dockerfile read(Path file) {
        try {
            return parse(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dockerfile parse(String name, String text) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int start = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue; // comments may sit between continuation lines too
            }
            if (current.isEmpty()) {
                start = i + 1;
            }
            boolean continued = line.endsWith("\\");
            current.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continued) {
                String joined = current.toString().strip();
                current.setLength(0);
                String[] parts = joined.split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : "", start));
            }
        }
        return new Dockerfile(name, List.copyOf(instructions));
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The instructions of the last stage (after the last FROM): what the image is. */
    List<Instruction> finalStage() {
        int last = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        return instructions.subList(last, instructions.size());
    }

    /** Default of every ARG, by name (the first one declared wins, as for a global ARG before FROM). */
    Map<String, String> argDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Instruction arg : all("ARG")) {
            String[] nameValue = arg.arguments().split("=", 2);
            defaults.putIfAbsent(nameValue[0].strip(), nameValue.length > 1 ? unquote(nameValue[1].strip()) : null);
        }
        return defaults;
    }

    Optional<String> argDefault(String name) {
        return Optional.ofNullable(argDefaults().get(name));
    }

    /** The names of the stages (FROM ... AS name). */
    List<String> stageNames() {
        List<String> names = new ArrayList<>();
        for (Instruction from : all("FROM")) {
            String[] words = from.arguments().split("\\s+");
            if (words.length >= 3 && words[words.length - 2].equalsIgnoreCase("AS")) {
                names.add(words[words.length - 1]);
            }
        }
        return names;
    }

    /** Replaces ${NAME} and $NAME by the ARG defaults (unknown names stay as written). */
    String expand(String text) {
        Map<String, String> defaults = argDefaults();
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = defaults.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    @Override
    public String toString() {
        return name;
    }
}
