package dev.mldev.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import dev.mldev.Environment;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * Opens ONNX Runtime sessions on the device asked for. {@code auto} probes cheaply for CUDA first and
 * remembers a failed CUDA start (keyed by the driver and libraries found), so later runs on the same machine
 * go straight to the CPU instead of paying seconds for the same failure. A bundle's model is optimised once
 * and the optimised graph cached, so later starts skip most of the graph optimisation. CUDA's options come
 * from {@link CudaSettings}, chosen by whether the model's input shape is fixed.
 */
public final class SessionFactory {
    public static final String CUDA = "CUDAExecutionProvider";
    public static final String CPU = "CPUExecutionProvider";

    private final Path verdictFile;
    private final Path optimizedDir;
    private final CudaProbe probe;
    private final CudaSettings cudaSettings;
    private final Consumer<String> notice;
    private final boolean verbose;
    private boolean fallbackAnnounced;
    private boolean spinning = true;

    public SessionFactory(Environment env, Consumer<String> notice, boolean verbose) {
        this(
                env.cacheDir().resolve("cuda-verdict.txt"),
                CudaProbe.forThisMachine(env.get("LD_LIBRARY_PATH")),
                CudaSettings.from(env),
                notice,
                verbose);
    }

    SessionFactory(Path verdictFile, CudaProbe probe, Consumer<String> notice, boolean verbose) {
        this(verdictFile, probe, CudaSettings.byPolicy(), notice, verbose);
    }

    SessionFactory(
            Path verdictFile, CudaProbe probe, CudaSettings cudaSettings, Consumer<String> notice, boolean verbose) {
        this.verdictFile = verdictFile;
        this.optimizedDir = verdictFile.resolveSibling("optimized");
        this.probe = probe;
        this.cudaSettings = cudaSettings;
        this.notice = notice;
        this.verbose = verbose;
    }

    /**
     * The ONNX Runtime environment, created once. Its own logging stays quiet (it prints a red line by itself
     * when CUDA fails to load) unless --verbose; mldev reports failures in its own words.
     */
    public static OrtEnvironment ortEnvironment(boolean verbose) {
        return OrtEnvironment.getEnvironment(
                verbose ? OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING : OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "mldev");
    }

    /**
     * ONNX Runtime's worker threads sleep between runs instead of spinning, which leaves the cores to other work:
     * a server's decoding and HTTP between batches (about a quarter more requests per second on 2 cores), a
     * one-shot predict's JIT compiler (about 0.13 s less CPU).
     */
    public SessionFactory withoutSpinning() {
        spinning = false;
        return this;
    }

    /** A model file as it is (no cache): for checking a model before it is packaged. Its input shape is unknown. */
    public ModelSession open(Path model, Device device) {
        return open(model, null, false, device);
    }

    /** A verified bundle's model, through the cache of optimised graphs keyed by its sha256. */
    public ModelSession open(Bundle bundle, Device device) {
        return open(
                bundle.modelPath(),
                bundle.manifest().model().sha256(),
                CudaSettings.fixedShape(bundle.manifest().preprocess().resize()),
                device);
    }

    private ModelSession open(Path model, String sha256, boolean fixedShape, Device device) {
        OrtEnvironment env = ortEnvironment(verbose);
        try {
            OrtSession.SessionOptions options = baseOptions();
            String provider = device == Device.CPU ? CPU : addCuda(options, device, fixedShape);
            Path optimized = sha256 == null
                    ? null
                    : optimizedDir.resolve(String.join(
                                    "-",
                                    sha256.substring(0, 16),
                                    provider,
                                    env.getVersion(),
                                    System.getProperty("os.arch"))
                            + ".onnx");
            if (optimized != null && Files.isRegularFile(optimized)) {
                try {
                    return new ModelSession(env.createSession(optimized.toString(), options), provider);
                } catch (OrtException e) {
                    Files.deleteIfExists(optimized); // a damaged cache entry: rebuild it from the model
                }
            }
            Path written = null;
            if (optimized != null) {
                Files.createDirectories(optimizedDir);
                written = optimizedDir.resolve(
                        optimized.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
                options.setOptimizedModelFilePath(written.toString());
            }
            ModelSession session = new ModelSession(env.createSession(model.toString(), options), provider);
            if (written != null && Files.isRegularFile(written)) {
                Files.move(written, optimized, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return session;
        } catch (OrtException e) {
            throw MldevException.failure(
                    "ONNX Runtime cannot load " + model + ": " + Failures.firstLine(e),
                    "check that the file is a complete ONNX model (re-export or download it again)");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether CUDA really initialises here, trying it even if it failed before; for {@code mldev doctor}. */
    public CudaCheck checkCuda() {
        CudaProbe.Result found = probe.probe();
        if (!found.usable()) {
            return new CudaCheck(false, found.reason());
        }
        ortEnvironment(verbose);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.addCUDA(0);
            forgetFailure();
            return new CudaCheck(true, null);
        } catch (OrtException e) {
            rememberFailure(found.fingerprint(), Failures.firstLine(e));
            return new CudaCheck(false, Failures.firstLine(e));
        }
    }

    /** The result of {@link #checkCuda()}: usable, or the reason why not. */
    public record CudaCheck(boolean usable, String reason) {}

    private OrtSession.SessionOptions baseOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
        if (!spinning) {
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
        }
        return options;
    }

    /** Adds CUDA when it can work; returns the provider that will run. */
    private String addCuda(OrtSession.SessionOptions options, Device device, boolean fixedShape) {
        CudaProbe.Result found = probe.probe();
        if (!found.usable()) {
            return fallBackOrFail(device, found.reason());
        }
        String earlier = rememberedFailure(found.fingerprint());
        if (device == Device.AUTO && earlier != null) {
            announce("CUDA failed to start earlier on this machine (" + earlier
                    + "); running on the CPU. 'mldev doctor' tries CUDA again.");
            return CPU;
        }
        try (OrtCUDAProviderOptions cuda = cudaSettings.providerOptions(fixedShape)) {
            options.addCUDA(cuda);
            forgetFailure();
            return CUDA;
        } catch (OrtException e) {
            rememberFailure(found.fingerprint(), Failures.firstLine(e));
            return fallBackOrFail(device, Failures.firstLine(e));
        }
    }

    private String fallBackOrFail(Device device, String reason) {
        if (device == Device.CUDA) {
            throw MldevException.failure(
                    "--device cuda: CUDA cannot be used: " + reason,
                    "install the NVIDIA driver, CUDA 12 and cuDNN 9 (see 'mldev doctor'), or use --device cpu");
        }
        announce("CUDA not available (" + reason + "); running on the CPU");
        return CPU;
    }

    /** The CPU fallback is said once per factory, not at every reload of a served model. */
    private synchronized void announce(String message) {
        if (!fallbackAnnounced) {
            fallbackAnnounced = true;
            notice.accept(message);
        }
    }

    private String rememberedFailure(String fingerprint) {
        try {
            if (Files.isRegularFile(verdictFile)) {
                String[] saved = Files.readString(verdictFile).split("\n", 2);
                if (saved.length == 2 && saved[0].equals(fingerprint)) {
                    return saved[1].trim();
                }
            }
        } catch (IOException e) {
            // an unreadable verdict is no verdict
        }
        return null;
    }

    private void rememberFailure(String fingerprint, String reason) {
        try {
            Files.createDirectories(verdictFile.getParent());
            Files.writeString(verdictFile, fingerprint + "\n" + reason + "\n");
        } catch (IOException e) {
            // not remembering only costs time on the next run
        }
    }

    private void forgetFailure() {
        try {
            Files.deleteIfExists(verdictFile);
        } catch (IOException e) {
            // harmless
        }
    }
}
