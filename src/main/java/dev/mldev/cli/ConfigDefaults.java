package dev.mldev.cli;

import dev.mldev.Environment;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults for the options that describe where things go: flags win, then environment variables, then
 * {@code $XDG_CONFIG_HOME/mldev/config.properties} (keys are the long option names without dashes).
 */
final class ConfigDefaults implements IDefaultValueProvider {
    /** Option key to the environment variables consulted for it, in order. */
    private static final Map<String, List<String>> VARIABLES = Map.of(
            "project", List.of("MLDEV_PROJECT", "GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"),
            "region", List.of("MLDEV_REGION", "CLOUDSDK_AI_REGION"),
            "bucket", List.of("MLDEV_BUCKET"),
            "device", List.of("MLDEV_DEVICE"),
            "image", List.of("MLDEV_IMAGE"),
            "prices", List.of("MLDEV_PRICES"));

    private final Environment env;
    private Properties config;

    ConfigDefaults(Environment env) {
        this.env = env;
    }

    /** The path of the config file read for defaults. */
    static Path configFile(Environment env) {
        return env.configDir().resolve("config.properties");
    }

    @Override
    public String defaultValue(ArgSpec arg) throws IOException {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String key = option.longestName().replaceFirst("^-+", "");
        List<String> variables = VARIABLES.get(key);
        if (variables == null) {
            return null;
        }
        for (String variable : variables) {
            var value = env.get(variable);
            if (value.isPresent()) {
                return value.get();
            }
        }
        return config().getProperty(key);
    }

    private Properties config() throws IOException {
        if (config == null) {
            config = new Properties();
            Path file = configFile(env);
            if (Files.isRegularFile(file)) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    config.load(reader);
                }
            }
        }
        return config;
    }
}
