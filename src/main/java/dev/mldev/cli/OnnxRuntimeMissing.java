package dev.mldev.cli;

import dev.mldev.MldevException;
import picocli.CommandLine;

/**
 * The one place a command meets the cost archive's missing ONNX Runtime: the cost archive
 * ({@code mldev-VERSION-cost.tar.gz}) leaves the ONNX Runtime jar out, so the first ONNX Runtime class a command
 * touches fails to load. Wrapped around picocli's execution, this turns that failure into one line naming the
 * archive that has ONNX Runtime (exit 2) instead of a stack trace.
 */
final class OnnxRuntimeMissing implements CommandLine.IExecutionStrategy {
    private static final String ORT_PACKAGE = "ai/onnxruntime/";

    private final CommandLine.IExecutionStrategy inner;

    OnnxRuntimeMissing(CommandLine.IExecutionStrategy inner) {
        this.inner = inner;
    }

    @Override
    public int execute(CommandLine.ParseResult parsed) {
        try {
            return inner.execute(parsed);
        } catch (LinkageError e) {
            if (!isMissingOnnxRuntime(e)) {
                throw e;
            }
            CommandLine.ParseResult last = parsed;
            while (last.hasSubcommand()) {
                last = last.subcommand();
            }
            throw new CommandLine.ExecutionException(
                    last.commandSpec().commandLine(),
                    e.toString(),
                    needsFullArchive(last.commandSpec().qualifiedName(), VersionProvider.version()));
        }
    }

    static MldevException needsFullArchive(String command, String version) {
        return MldevException.usage(
                command + " needs ONNX Runtime, which this installation (the cost archive, mldev-" + version
                        + "-cost.tar.gz) leaves out",
                "install mldev-" + version + "-linux-x64.tar.gz, which has it: ./install.sh --from mldev-" + version
                        + "-linux-x64.tar.gz");
    }

    /** A class of ONNX Runtime's Java API that cannot be found, itself or as the cause of the failure. */
    static boolean isMissingOnnxRuntime(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).replace('.', '/');
            if ((t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException)
                    && message.startsWith(ORT_PACKAGE)) {
                return true;
            }
        }
        return false;
    }
}
