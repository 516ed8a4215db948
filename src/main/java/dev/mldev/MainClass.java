package dev.mldev;

/**
 * The entry point's class name, for command lines built without a reference to the class itself: the serving
 * image's entrypoint and the background server a local deployment starts. A test checks it names the CLI.
 */
public final class MainClass {
    public static final String NAME = "dev.mldev.cli.Cli";

    private MainClass() {}
}
