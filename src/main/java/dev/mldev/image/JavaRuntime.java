package dev.mldev.image;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import dev.mldev.MldevException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Java runtime directory copied into the image. Symbolic links are resolved (a distribution's JDK links into
 * /etc and /usr/share, which the image lacks); what only a developer needs (jmods, headers, sources, manuals) is
 * left out.
 */
public record JavaRuntime(Path home, List<Path> systemLibraryDirs) {
    /** Where the runtime lands in the image; the entrypoint runs {@code bin/java} from here. */
    public static final AbsoluteUnixPath IMAGE_PATH = AbsoluteUnixPath.get("/opt/java");

    private static final Set<String> DEVELOPER_ONLY =
            Set.of("jmods", "include", "man", "docs", "demo", "sample", "lib/src.zip");
    /** In the C library's own packages and in the C++ runtime and zlib that any Ubuntu or Debian image has. */
    private static final Set<String> IN_EVERY_GLIBC_IMAGE = Set.of(
            "libc.so.6",
            "libm.so.6",
            "libdl.so.2",
            "libpthread.so.0",
            "librt.so.1",
            "ld-linux-x86-64.so.2",
            "libgcc_s.so.1",
            "libstdc++.so.6",
            "libz.so.1");
    /** Runtime libraries a headless server never loads. */
    private static final Set<String> DESKTOP_ONLY = Set.of(
            "libawt_xawt.so",
            "libjawt.so",
            "libsplashscreen.so",
            "libjsound.so",
            "libatk-wrapper.so",
            "libfontmanager.so",
            "libj2pcsc.so",
            "libsaproc.so");

    private static final Set<String> LINUX_AMD64 = Set.of("x86_64", "amd64");

    /** Where this machine's loader finds libraries (Debian's and Red Hat's layouts). */
    public static final List<Path> SYSTEM_LIBRARY_DIRS = Stream.of(
                    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib")
            .map(Path::of)
            .toList();

    public JavaRuntime(Path home) {
        this(home, SYSTEM_LIBRARY_DIRS);
    }

    /** The runtime running this mldev. */
    public static JavaRuntime running() {
        return new JavaRuntime(Path.of(System.getProperty("java.home")));
    }

    /**
     * Checks that this is a Linux x86-64 runtime (the machines Vertex AI serves on), from its {@code release}
     * file; a macOS or ARM runtime would be copied happily and fail only when the container starts.
     */
    public JavaRuntime checkedForLinuxAmd64() {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(home.resolve("bin/java")) || !Files.isRegularFile(release)) {
            throw MldevException.usage(
                    home + " is not a Java runtime (no bin/java and release file)",
                    "pass --jre with the directory of a Linux x86-64 Java 17+ runtime, or --jre base");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(release)) {
            properties.load(reader);
        } catch (IOException e) {
            throw MldevException.failure("cannot read " + release + ": " + e.getMessage(), null);
        }
        String os = unquote(properties.getProperty("OS_NAME", ""));
        String arch = unquote(properties.getProperty("OS_ARCH", ""));
        if (!os.equalsIgnoreCase("Linux") || !LINUX_AMD64.contains(arch)) {
            throw MldevException.usage(
                    "the Java runtime " + home + " is for " + os + "/" + arch
                            + "; the serving image needs a Linux x86-64 runtime",
                    "pass --jre with the directory of a Linux x86-64 Java 17+ runtime, or --jre base");
        }
        return this;
    }

    /**
     * The runtime's files as one image layer under {@link #IMAGE_PATH}, permissions kept, with the machine's
     * libraries it loads but does not ship copied in beside the runtime libraries that load them.
     */
    public FileEntriesLayer layer(String name) {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        try (Stream<Path> walk = Files.walk(home, FileVisitOption.FOLLOW_LINKS)) {
            for (Path file : (Iterable<Path>) walk.sorted()::iterator) {
                String relative = relative(file);
                if (isDeveloperOnly(relative) || !Files.isRegularFile(file)) {
                    continue; // directories come with their files; dangling links are skipped
                }
                layer.addEntry(
                        file.toRealPath(),
                        IMAGE_PATH.resolve(relative),
                        permissions(file),
                        FileEntriesLayer.DEFAULT_MODIFICATION_TIME);
            }
            for (Map.Entry<String, Path> library : systemLibraries().copied().entrySet()) {
                layer.addEntry(
                        library.getValue().toRealPath(),
                        IMAGE_PATH.resolve(library.getKey()),
                        permissions(library.getValue()),
                        FileEntriesLayer.DEFAULT_MODIFICATION_TIME);
            }
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot read the Java runtime " + home + ": " + e.getMessage(),
                    "pass --jre with a readable Java runtime directory, or --jre base");
        }
        return layer.build();
    }

    /**
     * The libraries of this machine that the runtime's native libraries load but do not ship, e.g. libjpeg and
     * lcms for a distribution's JDK: the base image may lack them, and JPEG decoding would then fail in the
     * container. Where the runtime library searches its own directory first ({@code $ORIGIN}, as OpenJDK builds
     * do), the library is copied in beside it; the rest are reported. Libraries every glibc image has, and the
     * desktop-only parts of the runtime (X11, sound, fonts, smart cards), are left alone.
     */
    public SystemLibraries systemLibraries() {
        Map<String, Path> copied = new TreeMap<>();
        Map<String, List<String>> missing = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(home.resolve("lib"), FileVisitOption.FOLLOW_LINKS)) {
            List<Path> libraries = walk.filter(p -> p.getFileName().toString().endsWith(".so"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
            Set<String> shipped = new HashSet<>();
            libraries.forEach(library -> shipped.add(library.getFileName().toString()));
            for (Path library : libraries) {
                if (DESKTOP_ONLY.contains(library.getFileName().toString())) {
                    continue;
                }
                ElfLibraries.Dynamic dynamic = ElfLibraries.read(library);
                for (String needed : dynamic.needed()) {
                    if (shipped.contains(needed) || IN_EVERY_GLIBC_IMAGE.contains(needed)) {
                        continue;
                    }
                    Path host = dynamic.searchesOwnDirectory() ? onThisMachine(needed) : null;
                    if (host != null && IN_EVERY_GLIBC_IMAGE.containsAll(ElfLibraries.needed(host))) {
                        copied.put(relative(library.resolveSibling(needed)), host);
                    } else {
                        missing.computeIfAbsent(relative(library), k -> new ArrayList<>())
                                .add(needed);
                    }
                }
            }
        } catch (IOException e) {
            throw MldevException.failure("cannot read the Java runtime " + home + ": " + e.getMessage(), null);
        }
        return new SystemLibraries(copied, missing);
    }

    /**
     * @param copied  runtime-relative path (e.g. {@code lib/libjpeg.so.62}) to the machine's file copied there
     * @param missing runtime library to the libraries it needs that could not be copied in
     */
    public record SystemLibraries(Map<String, Path> copied, Map<String, List<String>> missing) {}

    private Path onThisMachine(String library) {
        return systemLibraryDirs.stream()
                .map(dir -> dir.resolve(library))
                .filter(Files::isRegularFile)
                .findFirst()
                .orElse(null);
    }

    private String relative(Path file) {
        return home.relativize(file).toString().replace('\\', '/');
    }

    private static boolean isDeveloperOnly(String relative) {
        return DEVELOPER_ONLY.stream().anyMatch(p -> relative.equals(p) || relative.startsWith(p + "/"));
    }

    private static FilePermissions permissions(Path file) throws IOException {
        try {
            return FilePermissions.fromPosixFilePermissions(Files.getPosixFilePermissions(file));
        } catch (UnsupportedOperationException notPosix) {
            return Files.isExecutable(file)
                    ? FilePermissions.fromOctalString("755")
                    : FilePermissions.DEFAULT_FILE_PERMISSIONS;
        }
    }

    private static String unquote(String value) {
        return value.replaceAll("^\"|\"$", "");
    }
}
