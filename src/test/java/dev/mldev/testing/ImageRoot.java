package dev.mldev.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@code docker save} image tarball unpacked into a directory, whose commands run as a container runtime would
 * run them: {@code chroot} into the directory with {@code /proc} and a small {@code /dev} mounted, and only the
 * image's environment plus the variables given. Each command gets its own mount namespace ({@code unshare}), so
 * its mounts end with it and never show in this machine's mount table. Needs root.
 */
public final class ImageRoot implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Mounts /proc (the loader resolves $ORIGIN through /proc/self/exe), a /dev of its own and the binds. */
    private static final String ENTER = String.join(
            "\n",
            "set -e",
            "root=$1; workdir=$2; shift 2",
            "/bin/mount -t proc proc \"$root/proc\"",
            "/bin/mount -t tmpfs -o mode=755,size=1m devices \"$root/dev\"",
            "for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do",
            "  IFS=: read -r name major minor <<NODE",
            "$node",
            "NODE",
            "  /bin/mknod -m 666 \"$root/dev/$name\" c \"$major\" \"$minor\"",
            "done",
            "/bin/mkdir \"$root/dev/shm\"",
            "/bin/ln -s /proc/self/fd \"$root/dev/fd\"",
            "binds=$1; shift",
            "while [ \"$binds\" -gt 0 ]; do",
            "  /bin/mkdir -p \"$root$1\"",
            "  /bin/mount --bind \"$2\" \"$root$1\"",
            "  shift 2; binds=$((binds - 1))",
            "done",
            "exec /usr/sbin/chroot \"$root\" /bin/sh -c 'cd \"$0\" && exec \"$@\"' \"$workdir\" \"$@\"");

    private final Path dir;
    private final Path root;
    private final List<String> entrypoint;
    private final String workingDir;
    private final Map<String, String> environment;

    private ImageRoot(
            Path dir, Path root, List<String> entrypoint, String workingDir, Map<String, String> environment) {
        this.dir = dir;
        this.root = root;
        this.entrypoint = entrypoint;
        this.workingDir = workingDir;
        this.environment = environment;
    }

    /**
     * Skips the calling test when not root, saying why; under CI ({@code CI=true}) fails instead, so that CI
     * never passes by skipping.
     */
    public static void requireRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return;
        }
        String reason = "running a command inside an image needs chroot and mount, which need root (this user is "
                + System.getProperty("user.name") + ")";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(reason + "; CI must run the tests as root");
        }
        System.err.println("skipped: " + reason);
        Assumptions.abort(reason);
    }

    /** Unpacks the tarball's layers, in order, into {@code dir/root}; {@code dir} must not exist yet or be empty. */
    public static ImageRoot unpack(Path dockerSaveTar, Path dir) {
        try {
            Path saved = Files.createDirectories(dir.resolve("saved"));
            Path root = Files.createDirectories(dir.resolve("root"));
            run(List.of("tar", "-xf", dockerSaveTar.toString(), "-C", saved.toString()));
            JsonNode manifest =
                    JSON.readTree(saved.resolve("manifest.json").toFile()).get(0);
            for (JsonNode layer : manifest.path("Layers")) {
                // GNU tar tells a gzipped layer from a plain one by itself; owners and modes are kept (root)
                run(List.of("tar", "-xpf", saved.resolve(layer.asText()).toString(), "-C", root.toString()));
            }
            JsonNode config = JSON.readTree(
                            saved.resolve(manifest.path("Config").asText()).toFile())
                    .path("config");
            List<String> entrypoint = new ArrayList<>();
            config.path("Entrypoint").forEach(word -> entrypoint.add(word.asText()));
            config.path("Cmd").forEach(word -> entrypoint.add(word.asText()));
            Map<String, String> environment = new LinkedHashMap<>();
            for (JsonNode variable : config.path("Env")) {
                String[] pair = variable.asText().split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
            // as container runtimes do: no WorkingDir means /
            String workingDir = config.path("WorkingDir").asText("");
            run(List.of("rm", "-rf", "--one-file-system", saved.toString()));
            return new ImageRoot(
                    dir,
                    root,
                    List.copyOf(entrypoint),
                    workingDir.isEmpty() ? "/" : workingDir,
                    Map.copyOf(environment));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory holding the image's files ({@code /} inside). */
    public Path root() {
        return root;
    }

    /** The image config's Entrypoint followed by its Cmd. */
    public List<String> entrypoint() {
        return entrypoint;
    }

    /** The image config's Env. */
    public Map<String, String> environment() {
        return environment;
    }

    /** A path inside the image as a path on this machine. */
    public Path file(String pathInImage) {
        return root.resolve(pathInImage.replaceFirst("^/+", ""));
    }

    /**
     * A process running {@code argv} inside the image, as a container runtime starts it: the first word looked up
     * on the image's PATH, the image's environment with {@code variables} over it, in the image's working
     * directory.
     *
     * @param binds directories of this machine to mount at paths inside the image (e.g. {@code /gcs})
     */
    public ProcessBuilder command(List<String> argv, Map<String, String> variables, Map<String, Path> binds) {
        List<String> command = new ArrayList<>(List.of(
                "/usr/bin/unshare",
                "--mount",
                "--propagation",
                "private",
                "/bin/sh",
                "-c",
                ENTER,
                "enter",
                root.toString(),
                workingDir,
                String.valueOf(binds.size())));
        binds.forEach((inside, host) -> {
            command.add(inside);
            command.add(host.toAbsolutePath().toString());
        });
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.environment().putAll(variables);
        return builder;
    }

    /** Runs a command inside the image to its end: its exit code and output (stdout and stderr together). */
    public Result run(List<String> argv, Map<String, String> variables, Map<String, Path> binds) {
        try {
            Process process =
                    command(argv, variables, binds).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv, e);
        }
    }

    public record Result(int exitCode, String output) {}

    /** Deletes the directory: refused while anything is mounted under it, and never crossing into a mount. */
    @Override
    public void close() {
        List<String> mounts = mountsUnder(dir);
        if (!mounts.isEmpty()) {
            throw new IllegalStateException("not deleting " + dir + ": still mounted there: " + mounts);
        }
        run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }

    /** The mount points at or below a directory, from this process's view of the mount table. */
    static List<String> mountsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" ")[4].replace("\\040", " "))
                    .filter(point -> point.equals(prefix) || point.startsWith(prefix + "/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }
}
