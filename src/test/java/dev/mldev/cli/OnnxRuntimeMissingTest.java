package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mldev.Environment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A command of the cost archive (no ONNX Runtime jar) that reaches ONNX Runtime ends with one line naming the archive
 * that has it, exit 2. The installed cost archive itself is run by ReleaseArchivesTest.
 */
class OnnxRuntimeMissingTest {
    @TempDir
    Path home;

    @CommandLine.Command(name = "needs-ort")
    static final class NeedsOnnxRuntime implements Callable<Integer> {
        private final Error failure;

        NeedsOnnxRuntime(Error failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() {
            throw failure;
        }
    }

    int run(Error failure, StringWriter err) {
        CommandLine cli =
                Cli.commandLine(new Environment(Map.of(), home), Terminal.piped(), new String[] {"needs-ort"});
        cli.addSubcommand(new NeedsOnnxRuntime(failure));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute("needs-ort");
    }

    @Test
    void aMissingOnnxRuntimeClassNamesTheArchiveThatHasIt() {
        StringWriter err = new StringWriter();
        NoClassDefFoundError missing = new NoClassDefFoundError("ai/onnxruntime/OrtException");
        missing.initCause(new ClassNotFoundException("ai.onnxruntime.OrtException"));

        assertThat(run(missing, err)).isEqualTo(2);

        String version = VersionProvider.version();
        assertThat(err.toString())
                .isEqualTo(
                        "mldev: mldev needs-ort needs ONNX Runtime, which this installation (the cost archive, mldev-"
                                + version + "-cost.tar.gz) leaves out\nhint: install mldev-" + version
                                + "-linux-x64.tar.gz, which has it: "
                                + "./install.sh --from mldev-" + version + "-linux-x64.tar.gz\n");
    }

    @Test
    void otherMissingClassesAreNotBlamedOnOnnxRuntime() {
        NoClassDefFoundError other = new NoClassDefFoundError("com/google/cloud/tools/jib/api/Jib");
        try {
            run(other, new StringWriter());
            throw new AssertionError("the error was swallowed");
        } catch (NoClassDefFoundError e) {
            assertThat(e).isSameAs(other);
        }
    }
}
