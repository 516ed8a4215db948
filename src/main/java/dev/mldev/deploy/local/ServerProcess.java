package dev.mldev.deploy.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Starts {@code mldev serve} as a background process of its own, and finds it again by pid. */
final class ServerProcess {
    private ServerProcess() {
    }

    /** The command that runs this same mldev: this JVM, its class path and its ONNX Runtime native path. */
    static List<String> mldevCommand() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String nativePath = System.getProperty("onnxruntime.native.path");
        if (nativePath != null) {
            command.add("-Donnxruntime.native.path=" + nativePath);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.mldev.cli.Cli");
        return command;
    }

    /** Starts the server detached from this terminal (its own session when setsid exists), output to the log. */
    static Process start(List<String> serveArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(mldevCommand());
        command.addAll(serveArgs);
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** The live process with this pid, if it still is an mldev server (a reused pid is not trusted). */
    static Optional<ProcessHandle> find(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> isMldevServe(pid));
    }

    /**
     * Reads /proc/PID/cmdline (ProcessHandle.Info gives up on command lines as long as a class path); where
     * there is no /proc, a live pid is taken as it is.
     */
    private static boolean isMldevServe(long pid) {
        Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        if (!Files.isReadable(cmdline)) {
            return true;
        }
        try {
            List<String> args = List.of(new String(Files.readAllBytes(cmdline)).split("\u0000"));
            int main = args.indexOf("dev.mldev.cli.Cli");
            return main >= 0 && main + 1 < args.size() && args.get(main + 1).equals("serve");
        } catch (IOException e) {
            return false;
        }
    }
}
