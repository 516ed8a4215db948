package dev.mldev.cli;

import java.util.List;
import java.util.Optional;

/**
 * The command line as words, read before picocli has parsed it: enough for the work started from the first line
 * of main ({@link Preload}, {@link EarlyModel}) and for choosing which subcommands picocli builds. What these
 * guesses get wrong, picocli's own parse decides.
 */
record RawArgs(List<String> words) {
    RawArgs(String[] args) {
        this(List.of(args));
    }

    /** The first word that is not an option: the subcommand's name, or null. */
    String subcommand() {
        return words.stream().filter(w -> !w.startsWith("-")).findFirst().orElse(null);
    }

    /** Whether any of these flags is given. */
    boolean has(String... flags) {
        return List.of(flags).stream().anyMatch(words::contains);
    }

    /** The value of {@code --name VALUE} or {@code --name=VALUE}. */
    Optional<String> value(String name) {
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).equals(name) && i + 1 < words.size()) {
                return Optional.of(words.get(i + 1));
            }
            if (words.get(i).startsWith(name + "=")) {
                return Optional.of(words.get(i).substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    boolean verbose() {
        return has("--verbose", "-v");
    }
}
