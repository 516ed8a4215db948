package dev.mldev.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/** {@code mldev image}: the serving container image, built without a Docker daemon. */
@Command(
        name = "image",
        description = "Build and push the serving container image (no Docker daemon needed).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ImagePushCommand.class})
final class ImageCommand extends BaseCommand {
    @Override
    public Integer call() {
        spec.commandLine().usage(err());
        throw new ParameterException(spec.commandLine(), "no image command given");
    }
}
