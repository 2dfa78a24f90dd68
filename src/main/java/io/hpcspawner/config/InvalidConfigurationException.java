package io.hpcspawner.config;

import java.util.List;

/** The site configuration has problems; the message lists each one on its own line. */
public class InvalidConfigurationException extends RuntimeException {

    private final List<String> problems;

    public InvalidConfigurationException(List<String> problems) {
        super("hpcspawner cannot start: the configuration has " + problems.size() + " problem(s):\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
