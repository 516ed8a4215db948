package dev.mldev.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mldev image}: the serving container image, built without a Docker daemon. */
@Command(name = "image",
        mixinStandardHelpOptions = true,
        description = "Build and push the serving container image (no Docker daemon needed).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ImagePushCommand.class})
final class ImageCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new ParameterException(spec.commandLine(), "no image command given");
    }
}
