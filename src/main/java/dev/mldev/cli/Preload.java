package dev.mldev.cli;

import dev.mldev.runtime.ImageDecoder;
import dev.mldev.runtime.SessionFactory;
import java.util.Arrays;
import java.util.List;

/**
 * Loads what {@code mldev predict} needs first on a thread of its own while the main thread is still parsing
 * the command line: ONNX Runtime's native library and the image readers for a predict in this process (whose
 * model {@link EarlyModel} opens meanwhile), Jackson for one sent to a deployment. A failure here is left to the
 * foreground, which meets it again.
 */
final class Preload {
    private Preload() {
    }

    static void start(String command, String[] args) {
        if (!"predict".equals(command)) {
            return;
        }
        List<String> words = Arrays.asList(args);
        boolean local = words.contains("--local") || words.stream().anyMatch(w -> w.startsWith("--model"));
        boolean verbose = words.contains("--verbose") || words.contains("-v");
        Thread thread = new Thread(() -> {
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
        }, "mldev-preload");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs the class's static initialiser (a mapper, a reader registry), as its first use would. */
    private static void initialise(Class<?> type) throws ClassNotFoundException {
        Class.forName(type.getName(), true, type.getClassLoader());
    }
}
