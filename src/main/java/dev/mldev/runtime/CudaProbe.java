package dev.mldev.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A cheap look for what ONNX Runtime's CUDA provider needs, done before paying for {@code addCUDA}
 * (which unpacks a 367 MB library and takes seconds to fail): an NVIDIA driver, the CUDA 12 libraries and
 * cuDNN 9, found where the dynamic loader would find them.
 */
final class CudaProbe {
    static final Path DRIVER_VERSION = Path.of("/proc/driver/nvidia/version");
    private static final List<String> STANDARD_DIRS = List.of(
            "/usr/local/cuda/lib64",
            "/usr/local/cuda-12/lib64",
            "/usr/local/nvidia/lib64",
            "/usr/local/nvidia/lib",
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib64",
            "/usr/lib/wsl/lib");

    private record Library(String file, String what) {}

    /** In the order a user should fix them. */
    private static final List<Library> NEEDED = List.of(
            new Library("libcuda.so.1", "the NVIDIA driver library"),
            new Library("libcudart.so.12", "the CUDA 12 runtime"),
            new Library("libcublasLt.so.12", "cuBLAS from CUDA 12"),
            new Library("libcudnn.so.9", "cuDNN 9"));

    /** Usable, or why not; the fingerprint changes when the driver or the library set changes. */
    record Result(boolean usable, String reason, String fingerprint) {}

    private final Path driverVersion;
    private final Supplier<List<Path>> searchDirs;

    CudaProbe(Path driverVersion, List<Path> searchDirs) {
        this(driverVersion, () -> searchDirs);
    }

    private CudaProbe(Path driverVersion, Supplier<List<Path>> searchDirs) {
        this.driverVersion = driverVersion;
        this.searchDirs = searchDirs;
    }

    /**
     * Searches LD_LIBRARY_PATH, the loader cache and the usual CUDA directories; only when a driver is there,
     * so machines without a GPU never pay for running ldconfig.
     */
    static CudaProbe forThisMachine(Optional<String> ldLibraryPath) {
        return new CudaProbe(DRIVER_VERSION, () -> {
            Set<Path> dirs = new LinkedHashSet<>();
            ldLibraryPath.ifPresent(p -> {
                for (String dir : p.split(":")) {
                    if (!dir.isBlank()) {
                        dirs.add(Path.of(dir));
                    }
                }
            });
            dirs.addAll(loaderCacheDirs());
            STANDARD_DIRS.forEach(d -> dirs.add(Path.of(d)));
            return new ArrayList<>(dirs);
        });
    }

    Result probe() {
        if (!Files.isReadable(driverVersion)) {
            return new Result(false, "no NVIDIA GPU driver (" + driverVersion + " is missing)", "no-driver");
        }
        String driver;
        try {
            driver = Files.readAllLines(driverVersion).stream()
                    .findFirst()
                    .orElse("")
                    .trim();
        } catch (IOException e) {
            return new Result(false, "cannot read " + driverVersion + ": " + e.getMessage(), "no-driver");
        }
        StringBuilder fingerprint = new StringBuilder(driver);
        List<Path> dirs = searchDirs.get();
        for (Library lib : NEEDED) {
            Optional<Path> found = find(dirs, lib.file());
            if (found.isEmpty()) {
                return new Result(
                        false,
                        lib.file() + " (" + lib.what() + ") not found" + " on LD_LIBRARY_PATH or in the loader cache",
                        fingerprint + "|missing " + lib.file());
            }
            fingerprint.append('|').append(found.get());
        }
        return new Result(true, null, fingerprint.toString());
    }

    private Optional<Path> find(List<Path> dirs, String library) {
        return dirs.stream().map(d -> d.resolve(library)).filter(Files::exists).findFirst();
    }

    /** Directories of the libraries in the dynamic loader's cache ({@code ldconfig -p}). */
    private static Set<Path> loaderCacheDirs() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (!Files.isExecutable(Path.of(ldconfig))) {
                continue;
            }
            try {
                Process process = new ProcessBuilder(ldconfig, "-p")
                        .redirectErrorStream(true)
                        .start();
                String listing = new String(process.getInputStream().readAllBytes());
                process.waitFor(5, TimeUnit.SECONDS);
                listing.lines().filter(l -> l.contains("=> ")).forEach(l -> {
                    Path parent =
                            Path.of(l.substring(l.indexOf("=> ") + 3).trim()).getParent();
                    if (parent != null) {
                        dirs.add(parent);
                    }
                });
                break;
            } catch (IOException e) {
                // no loader cache: the standard directories still get searched
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return dirs;
    }
}
