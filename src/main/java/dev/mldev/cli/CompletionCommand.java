package dev.mldev.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "completion",
        description = {
            "Print a shell completion script.",
            "bash: source <(mldev completion bash)   zsh: source <(mldev completion zsh)",
            "fish: mldev completion fish > ~/.config/fish/completions/mldev.fish"
        })
final class CompletionCommand extends BaseCommand {
    enum Shell {
        bash,
        zsh,
        fish
    }

    @Parameters(paramLabel = "bash|zsh|fish", description = "The shell: ${COMPLETION-CANDIDATES}.")
    Shell shell;

    @Override
    public Integer call() {
        out().print(script(shell, spec.root().commandLine()));
        out().flush();
        return 0;
    }

    /** The script for a shell; the zsh one is picocli's bash script, which loads bashcompinit under zsh. */
    static String script(Shell shell, CommandLine root) {
        return switch (shell) {
            case bash, zsh -> AutoComplete.bash("mldev", root);
            case fish -> FishCompletion.script(root);
        };
    }
}
