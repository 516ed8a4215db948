package dev.mldev.cli;

import dev.mldev.Json;
import dev.mldev.runtime.ImageDecoder;
import dev.mldev.runtime.SessionFactory;

/**
 * Loads what {@code mldev predict} needs first on a thread of its own while the main thread is still parsing
 * the command line: ONNX Runtime's native library and the image readers for a predict in this process (whose
 * model {@link EarlyModel} opens meanwhile), Jackson for one sent to a deployment. A failure here is left to the
 * foreground, which meets it again.
 */
final class Preload {
    private Preload() {}

    static void start(RawArgs args) {
        if (!"predict".equals(args.subcommand())) {
            return;
        }
        boolean local = args.has("--local", "--model") || args.value("--model").isPresent();
        boolean verbose = args.verbose();
        Thread thread = new Thread(
                () -> {
                    try {
                        if (local) {
                            SessionFactory.ortEnvironment(verbose);
                            initialise(ImageDecoder.class);
                        } else {
                            initialise(Json.class); // reads the deployment record and the answer
                        }
                    } catch (Throwable ignored) {
                        // met again, and reported, by the command itself
                    }
                },
                "mldev-preload");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs the class's static initialiser (a mapper, a reader registry), as its first use would. */
    private static void initialise(Class<?> type) throws ClassNotFoundException {
        Class.forName(type.getName(), true, type.getClassLoader());
    }
}
