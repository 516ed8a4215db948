package dev.mldev;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The process environment as mldev sees it: variables and the directories derived from them.
 * Passed in rather than read from {@link System#getenv()} so tests can run commands in isolation.
 */
public final class Environment {
    private final Map<String, String> variables;
    private final Path home;

    public Environment(Map<String, String> variables, Path home) {
        this.variables = Map.copyOf(variables);
        this.home = home;
    }

    public static Environment system() {
        return new Environment(System.getenv(), home(System.getenv(), System.getProperty("user.home")));
    }

    /**
     * $HOME when set to an absolute path, as shells and other tools read it; Java's user.home comes from the
     * password file instead, which containers and CI jobs with another HOME do not change.
     */
    static Path home(Map<String, String> variables, String userHome) {
        String home = variables.get("HOME");
        return home != null && Path.of(home).isAbsolute() ? Path.of(home) : Path.of(userHome);
    }

    public Optional<String> get(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** The user's home directory ($HOME; where tools such as gcloud keep their own configuration). */
    public Path home() {
        return home;
    }

    public Map<String, String> variables() {
        return variables;
    }

    /** Deployment state (pid files, logs, records of cloud deployments): $XDG_STATE_HOME/mldev. */
    public Path stateDir() {
        return xdg("XDG_STATE_HOME", ".local/state");
    }

    /** User configuration: $XDG_CONFIG_HOME/mldev. */
    public Path configDir() {
        return xdg("XDG_CONFIG_HOME", ".config");
    }

    /** Caches (refreshed prices, optimised models): $XDG_CACHE_HOME/mldev. */
    public Path cacheDir() {
        return xdg("XDG_CACHE_HOME", ".cache");
    }

    /** Colour is off with NO_COLOR set (any value, https://no-color.org) or a dumb terminal. */
    public boolean colourAllowed() {
        return !variables.containsKey("NO_COLOR") && !"dumb".equals(variables.get("TERM"));
    }

    private Path xdg(String variable, String fallbackUnderHome) {
        return get(variable)
                .map(Path::of)
                .orElse(home.resolve(fallbackUnderHome))
                .resolve("mldev");
    }
}
