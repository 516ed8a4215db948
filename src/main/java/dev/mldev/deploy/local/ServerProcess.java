package dev.mldev.deploy.local;

import dev.mldev.MainClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts {@code mldev serve} as a background process of its own, and finds it again. The process carries its
 * deployment's directory as a marker ({@code -Dmldev.deployment=DIR} on its command line), so a pid reused by
 * another process, or a server of another deployment or state directory, is never taken for it.
 */
final class ServerProcess {
    private static final String MARKER = "-Dmldev.deployment=";
    /** Start times are read from /proc in clock ticks: allow for rounding between readings. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    private ServerProcess() {}

    /**
     * The command that runs this same mldev: this JVM, its class path and ONNX Runtime native path, then the
     * options from MLDEV_JAVA_OPTS (split on blanks, as the launcher does), then the deployment's marker.
     */
    static List<String> mldevCommand(String javaOptions, Path workDir) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String nativePath = System.getProperty("onnxruntime.native.path");
        if (nativePath != null) {
            command.add("-Donnxruntime.native.path=" + nativePath);
        }
        if (javaOptions != null && !javaOptions.isBlank()) {
            command.addAll(List.of(javaOptions.trim().split("\\s+")));
        }
        command.add(marker(workDir));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MainClass.NAME);
        return command;
    }

    /** Starts the server detached from this terminal (its own session when setsid exists), output to the log. */
    static Process start(String javaOptions, Path workDir, List<String> serveArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid"); // execs (same pid): a child of the JVM is no process group leader
        }
        command.addAll(mldevCommand(javaOptions, workDir));
        command.addAll(serveArgs);
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * The live process with this pid, if it is the server started for the deployment: it carries the marker and
     * (when both are known) started when it was recorded to.
     */
    static Optional<ProcessHandle> find(long pid, Instant started, Path workDir) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> started == null
                        || p.info().startInstant().map(s -> closeTo(s, started)).orElse(true))
                .filter(p -> carriesMarker(p, workDir));
    }

    /** Every live server of the deployment, found by its marker alone (for a deployment whose record is lost). */
    static List<ProcessHandle> findByMarker(Path workDir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> commandLine(p)
                        .map(args -> args.contains(marker(workDir)))
                        .orElse(false))
                .toList();
    }

    static Optional<Instant> startInstant(Process process) {
        return process.toHandle().info().startInstant();
    }

    private static boolean carriesMarker(ProcessHandle process, Path workDir) {
        return commandLine(process).map(args -> args.contains(marker(workDir))).orElse(false);
    }

    private static String marker(Path workDir) {
        return MARKER + workDir.toAbsolutePath().normalize();
    }

    private static boolean closeTo(Instant a, Instant b) {
        return Duration.between(a, b).abs().compareTo(START_TOLERANCE) <= 0;
    }

    /**
     * The process's arguments from /proc/PID/cmdline (ProcessHandle.Info gives up on command lines as long as
     * a class path), else from ProcessHandle.Info where there is no /proc.
     */
    private static Optional<List<String>> commandLine(ProcessHandle process) {
        Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                return Optional.of(List.of(new String(Files.readAllBytes(cmdline)).split("\u0000")));
            } catch (IOException gone) {
                return Optional.empty();
            }
        }
        return process.info().arguments().map(List::of);
    }
}
