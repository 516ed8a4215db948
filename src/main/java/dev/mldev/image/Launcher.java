package dev.mldev.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.mldev.MldevException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The image's {@code mldev} command: a shell script on the PATH that runs the same java command line as the
 * entrypoint. A Vertex AI Pipelines container's {@code command} replaces the entrypoint, so whatever it names
 * must exist in the image; the pipeline component calls this script by its absolute path.
 */
public final class Launcher {
    /** In /usr/local/bin, which is on the PATH of every Debian, Ubuntu and CUDA base image. */
    public static final AbsoluteUnixPath PATH = AbsoluteUnixPath.get("/usr/local/bin/mldev");

    private Launcher() {}

    /** The script's text: {@code exec} of the java command line, with the script's arguments after it. */
    static String script(List<String> javaCommand) {
        return "#!/bin/sh\nexec " + javaCommand.stream().map(Launcher::quoted).collect(Collectors.joining(" "))
                + " \"$@\"\n";
    }

    /** The script written to a temporary file, the source jib copies into the image. */
    static Path write(List<String> javaCommand) {
        try {
            Path file = Files.createTempFile("mldev-launcher-", ".sh");
            file.toFile().deleteOnExit();
            Files.writeString(file, script(javaCommand), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot write the image's mldev launcher: " + e.getMessage(),
                    "check the temporary directory's space and permissions");
        }
    }

    /** Single-quoted for sh, so '/app/lib/*' reaches java unexpanded. */
    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
