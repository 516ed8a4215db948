package dev.mldev.cli;

import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import dev.mldev.Environment;
import dev.mldev.Json;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import dev.mldev.bundle.Bundle;
import dev.mldev.image.AdcAccessToken;
import dev.mldev.image.AppLayout;
import dev.mldev.image.BuiltImage;
import dev.mldev.image.BundleImage;
import dev.mldev.image.ImageBuilder;
import dev.mldev.image.ImageDestination;
import dev.mldev.image.ImagePlan;
import dev.mldev.image.JavaRuntime;
import dev.mldev.image.JlinkedRuntime;
import dev.mldev.image.RegistryAuth;
import dev.mldev.image.ServeClassArchive;
import dev.mldev.image.UnpackedOnnxRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mldev image push REF}: builds the serving image with jib and pushes it (or writes a tarball). */
@Command(
        name = "push",
        description = {
            "Build the serving image and push it to a registry (or write a tarball).",
            "Layers: a CUDA + cuDNN base, a Java runtime, the dependency jars, mldev, and an archive of the "
                    + "classes serve loads (made by a short training run of serve here). The container runs "
                    + "'mldev serve' with the AIP_* variables Vertex AI sets. Only changed layers are uploaded: "
                    + "after a change to mldev alone, mldev's jar and the class archive."
        },
        footerHeading = "%nCredentials:%n",
        footer = {
            "  Application Default Credentials (gcloud auth application-default login, or",
            "  GOOGLE_APPLICATION_CREDENTIALS) go to Artifact Registry and Container Registry",
            "  as user oauth2accesstoken; other registries get none unless --auth adc."
        })
final class ImagePushCommand extends BaseCommand {
    static final String JRE_FROM_BASE = "base";
    static final String JRE_JLINK = "jlink";

    @Parameters(
            index = "0",
            paramLabel = "REF",
            description = "Where to push: REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG")
    String reference;

    @Option(
            names = "--base",
            paramLabel = "IMAGE",
            defaultValue = ImagePlan.DEFAULT_BASE,
            description = "Base image with CUDA 12 and cuDNN 9 (what onnxruntime_gpu 1.27 needs); "
                    + "tar://FILE reads a 'docker save' tarball. Default: ${DEFAULT-VALUE}")
    String base;

    @Option(
            names = "--tar",
            paramLabel = "FILE",
            description = "Write the image to a tarball instead of pushing it ('docker load'-able; "
                    + "an OCI layout with --format oci).")
    Path tar;

    @Option(
            names = "--insecure-registry",
            description = "Allow registries that only speak plain HTTP (a local or private test registry).")
    boolean insecureRegistry;

    @Option(
            names = "--auth",
            paramLabel = "auto|adc|none",
            defaultValue = "auto",
            description = "Registry credential: auto (Application Default Credentials for Google's registries), "
                    + "adc (always), none. Default: ${DEFAULT-VALUE}")
    RegistryAuth auth;

    @Option(
            names = "--jre",
            paramLabel = "jlink|DIR|base",
            description = "Java runtime of the image: 'jlink' makes one with only the modules mldev needs from the "
                    + "running JDK (the default when it has jmods); DIR copies that runtime (Linux x86-64, Java 17+), "
                    + "or jlinks from it when it is a JDK with jmods; 'base' runs the java on the base image's PATH.")
    String jre;

    @Option(
            names = "--tensorrt",
            description = "Also carry ONNX Runtime's TensorRT provider library (mldev itself uses CUDA, not TensorRT).")
    boolean tensorRt;

    @Option(
            names = "--no-class-archive",
            description = "Leave out the AppCDS archive of the classes serve loads (about 31 MB; it makes each "
                    + "container start to its first prediction about 0.3 s faster). It is made by a training run of "
                    + "serve with the image's java on this machine.")
    boolean noClassArchive;

    @Option(names = "--json", description = "With --dry-run: the plan as a JSON object (layers with bytes and files).")
    boolean json;

    @Option(
            names = "--app-dir",
            paramLabel = "DIR",
            description = "Installed mldev whose lib/*.jar go into the image; default: the running one.")
    Path appDir;

    @Option(
            names = "--bundle",
            paramLabel = "DIR",
            description = "Record the pushed image in this bundle's mldev.json (serving.image), "
                    + "which 'deploy --target vertex' uses when --image is not given.")
    Path bundleDir;

    @Option(
            names = "--format",
            paramLabel = "docker|oci",
            defaultValue = "docker",
            description = "Manifest format: docker (v2.2) or oci. Default: ${DEFAULT-VALUE}")
    Format format;

    @Option(names = "--dry-run", description = "Show the layers and their sizes; build and push nothing.")
    boolean dryRun;

    enum Format {
        docker,
        oci
    }

    @Override
    public Integer call() {
        PrintWriter out = out();
        PrintWriter err = err();
        if (tar != null && bundleDir != null) {
            throw MldevException.usage(
                    "--bundle records a pushed image, but --tar pushes nothing",
                    "push to a registry to record the image, or drop --bundle");
        }
        if (json && !dryRun) {
            throw MldevException.usage("--json describes a dry run", "add --dry-run, or drop --json");
        }
        ImageBuilder.checkReference(reference);
        Bundle bundle = bundleDir == null ? null : BundleImage.open(bundleDir);
        AppLayout app = appDir == null ? AppLayout.ofRunning(Cli.class) : AppLayout.of(appDir);
        warnIfCpuOnly(err, app);
        Optional<JavaRuntime> runtime = javaRuntime();
        runtime.ifPresent(jre -> reportSystemLibraries(err, jre));
        UnpackedOnnxRuntime ort =
                UnpackedOnnxRuntime.of(app, tensorRt, env().cacheDir().resolve("image"));
        Optional<ServeClassArchive> archive =
                noClassArchive ? Optional.empty() : runtime.map(jre -> classArchive(err, jre, app, ort));
        ImagePlan plan = ImagePlan.servingImage(base, runtime, app, ort, archive, VersionProvider.version());

        if (dryRun) {
            if (json) {
                out.println(Json.write(planJson(plan)));
                out.flush();
            } else {
                printPlan(out, plan);
            }
            err.println("dry run: nothing built or pushed");
            return 0;
        }
        BuiltImage image = build(err, plan);
        image.warnings().forEach(warning -> err.println("warning: " + warning));
        if (tar != null) {
            err.println("wrote " + tar + " (" + image.digest() + ")");
        } else {
            err.println("pushed " + reference + " (" + image.digest() + ")");
        }
        if (bundle != null) {
            BundleImage.record(bundle, reference);
            err.println("recorded " + reference + " as serving.image in "
                    + bundle.dir().resolve(Bundle.MANIFEST));
        }
        out.println(reference + "@" + image.digest());
        out.flush();
        err.flush();
        return 0;
    }

    private BuiltImage build(PrintWriter err, ImagePlan plan) {
        Environment env = env();
        AdcAccessToken adc = new AdcAccessToken(env);
        ImageBuilder builder = new ImageBuilder(new ImageBuilder.Settings(
                env.cacheDir(),
                VersionProvider.version(),
                insecureRegistry,
                format == Format.oci ? ImageFormat.OCI : ImageFormat.Docker,
                registry -> auth.usesAdc(registry) ? adc.get() : null));
        ImageDestination destination =
                tar == null ? new ImageDestination.Registry(reference) : new ImageDestination.Tarball(tar, reference);
        Progress progress = terminal().progress(err);
        progress.step("building " + reference + " on " + base);
        return builder.build(plan, destination, progress);
    }

    /** The image's java maps the classes serve loads from this archive: made here by a training run of serve. */
    private ServeClassArchive classArchive(PrintWriter err, JavaRuntime jre, AppLayout app, UnpackedOnnxRuntime ort) {
        Progress progress = terminal().progress(err);
        progress.step("archiving the classes serve loads (a training run of serve, once per mldev version)");
        try {
            return ServeClassArchive.of(
                    jre,
                    ImagePlan.classPath(app, ort),
                    ort.nativeDir(),
                    env().cacheDir().resolve("image"));
        } finally {
            progress.done();
        }
    }

    private static void warnIfCpuOnly(PrintWriter err, AppLayout app) {
        if (!app.hasGpuOnnxRuntime()) {
            err.println("warning: " + app.libDir() + " has the CPU-only ONNX Runtime ("
                    + app.requireOnnxRuntimeJar().getFileName() + "): the image will not use the GPU");
            err.println("hint: install mldev without --cpu (./install.sh), or pass --app-dir with such an install");
        }
    }

    private Optional<JavaRuntime> javaRuntime() {
        if (JRE_FROM_BASE.equals(jre)) {
            return Optional.empty();
        }
        Path running = Path.of(System.getProperty("java.home"));
        Path jdk = jre == null || JRE_JLINK.equals(jre) ? running : Path.of(jre);
        new JavaRuntime(jdk).checkedForLinuxAmd64();
        if (JRE_JLINK.equals(jre) || JlinkedRuntime.canJlink(jdk)) {
            // jlink's release file has no OS_NAME and OS_ARCH: the JDK it was made from was checked instead
            return Optional.of(JlinkedRuntime.from(jdk, env().cacheDir().resolve("image")));
        }
        return Optional.of(new JavaRuntime(jdk));
    }

    /** A distribution's JDK links to this machine's libjpeg and lcms: say what was done about it. */
    private static void reportSystemLibraries(PrintWriter err, JavaRuntime jre) {
        JavaRuntime.SystemLibraries libraries = jre.systemLibraries();
        if (!libraries.copied().isEmpty()) {
            err.println("note: the Java runtime loads libraries of this machine that it does not ship; copied into "
                    + "the image beside it: "
                    + String.join(", ", libraries.copied().keySet()));
        }
        if (!libraries.missing().isEmpty()) {
            String list = libraries.missing().entrySet().stream()
                    .map(need -> String.join(", ", need.getValue()) + " (for " + need.getKey() + ")")
                    .collect(Collectors.joining("; "));
            err.println("warning: the Java runtime " + jre.home() + " loads libraries it does not ship, which the "
                    + "base image may lack: " + list);
            err.println("hint: pass --jre with a self-contained runtime (such as Eclipse Temurin's JRE), or a --base "
                    + "that has these libraries");
        }
        err.flush();
    }

    private void printPlan(PrintWriter out, ImagePlan plan) {
        out.println("image       " + reference);
        out.println("base        " + plan.base());
        out.println("layers      (uncompressed, in order)");
        for (FileEntriesLayer layer : plan.layers()) {
            int files = layer.getEntries().size();
            out.printf(
                    "  %-14s %10s  %5d file%s%n",
                    layer.getName(), megabytes(ImagePlan.bytes(layer)), files, files == 1 ? "" : "s");
        }
        out.printf("  %-14s %10s%n", "total", megabytes(plan.bytes()));
        out.println("entrypoint  " + String.join(" ", plan.entrypoint()));
        out.println("workdir     " + plan.workingDirectory());
        plan.environment().forEach((name, value) -> out.println("env         " + name + "=" + value));
        out.flush();
    }

    private Map<String, Object> planJson(ImagePlan plan) {
        List<Map<String, Object>> layers = new ArrayList<>();
        for (FileEntriesLayer layer : plan.layers()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", layer.getName());
            entry.put("bytes", ImagePlan.bytes(layer));
            entry.put("files", layer.getEntries().size());
            layers.add(entry);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("image", reference);
        json.put("base", plan.base());
        json.put("layers", layers);
        json.put("bytes", plan.bytes());
        json.put("entrypoint", plan.entrypoint());
        json.put("working_directory", plan.workingDirectory().toString());
        json.put("environment", plan.environment());
        return json;
    }

    private static String megabytes(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
