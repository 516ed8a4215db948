package dev.mldev.image;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.event.events.ProgressEvent;
import com.google.cloud.tools.jib.event.progress.ProgressEventHandler;
import com.google.cloud.tools.jib.registry.RegistryCredentialsNotSentException;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.Progress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * Builds an {@link ImagePlan} with jib-core (no Docker daemon) and pushes it to a registry or writes a tarball.
 * Layers already in the registry are not uploaded again, so a change to mldev alone uploads one small layer.
 */
public final class ImageBuilder {
    /** A base image read from a {@code docker save} tarball instead of a registry. */
    public static final String TAR_PREFIX = "tar://";

    private static final String OAUTH2_USER = "oauth2accesstoken";
    private static final long PROGRESS_UNITS = 1000;

    private final Settings settings;

    /**
     * @param cacheDir        where base and application layers are cached between runs
     * @param toolVersion     mldev's version, recorded in the image history (so digests do not move with jib)
     * @param allowInsecure   talk plain HTTP to registries that do not speak HTTPS
     * @param format          Docker v2.2 or OCI manifests and media types
     * @param registryToken   the registry password for a host, or null for none (see {@link RegistryAuth})
     */
    public record Settings(
            Path cacheDir,
            String toolVersion,
            boolean allowInsecure,
            ImageFormat format,
            Function<String, String> registryToken) {}

    public ImageBuilder(Settings settings) {
        this.settings = settings;
    }

    /** Builds the plan and sends it to the destination, reporting upload progress. */
    public BuiltImage build(ImagePlan plan, ImageDestination destination, Progress progress) {
        JibContainerBuilder container = from(plan.base())
                .setFileEntriesLayers(plan.layers())
                .setEntrypoint(plan.entrypoint())
                .setWorkingDirectory(plan.workingDirectory())
                .setProgramArguments(List.of())
                .setEnvironment(plan.environment())
                .setLabels(plan.labels())
                .setExposedPorts(Set.of(Port.tcp(ImagePlan.SERVING_PORT)))
                .setFormat(settings.format());
        List<String> warnings = new CopyOnWriteArrayList<>();
        String label =
                (destination instanceof ImageDestination.Tarball ? "writing " : "pushing ") + destination.reference();
        if (destination instanceof ImageDestination.Tarball tarball) {
            return writeTarball(container, tarball, progress, warnings, label);
        }
        Containerizer containerizer =
                containerizer(Containerizer.to(registryImage(destination.reference())), progress, warnings, label);
        return containerize(container, containerizer, destination, progress, warnings);
    }

    private BuiltImage writeTarball(
            JibContainerBuilder container,
            ImageDestination.Tarball tarball,
            Progress progress,
            List<String> warnings,
            String label) {
        Path file = tarball.file().toAbsolutePath();
        if (!Files.isDirectory(file.getParent())) {
            throw MldevException.usage(
                    "cannot write " + file + ": " + file.getParent() + " is not a directory",
                    "create the directory first, or pass another --tar path");
        }
        // written beside the target and moved into place, so a failed build leaves no half-written tarball
        Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
        try {
            TarImage image = TarImage.at(partial).named(parse(tarball.reference(), "image reference"));
            BuiltImage built = containerize(
                    container,
                    containerizer(Containerizer.to(image), progress, warnings, label),
                    tarball,
                    progress,
                    warnings);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return built;
        } catch (IOException e) {
            throw MldevException.failure("cannot write " + file + ": " + e.getMessage(), null);
        } finally {
            deleteQuietly(partial);
        }
    }

    private BuiltImage containerize(
            JibContainerBuilder container,
            Containerizer containerizer,
            ImageDestination destination,
            Progress progress,
            List<String> warnings) {
        try {
            JibContainer result = container.containerize(containerizer);
            return new BuiltImage(
                    destination.reference(),
                    result.getDigest().toString(),
                    result.getImageId().toString(),
                    List.copyOf(warnings));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MldevException.failure("interrupted while building " + destination.reference(), null);
        } catch (CacheDirectoryCreationException e) {
            throw MldevException.failure(
                    "cannot create the layer cache under " + settings.cacheDir() + ": " + e.getMessage(),
                    "check that XDG_CACHE_HOME (or ~/.cache) is writable");
        } catch (RegistryException | IOException | ExecutionException e) {
            throw explain(e, destination);
        } finally {
            progress.done();
        }
    }

    private JibContainerBuilder from(String base) {
        if (base.startsWith(TAR_PREFIX)) {
            Path tar = Path.of(base.substring(TAR_PREFIX.length()));
            if (!Files.isRegularFile(tar)) {
                throw MldevException.usage(
                        "base image tarball " + tar + " does not exist",
                        "pass --base tar://FILE with a 'docker save' tarball, or a registry image reference");
            }
            return Jib.from(TarImage.at(tar));
        }
        return Jib.from(registryImage(base));
    }

    private RegistryImage registryImage(String reference) {
        ImageReference parsed = parse(reference, "image reference");
        RegistryImage image = RegistryImage.named(parsed);
        String token = settings.registryToken().apply(parsed.getRegistry());
        if (token != null) {
            image.addCredentialRetriever(() -> java.util.Optional.of(Credential.from(OAUTH2_USER, token)));
        }
        return image;
    }

    private Containerizer containerizer(
            Containerizer containerizer, Progress progress, List<String> warnings, String label) {
        return containerizer
                .setToolName("mldev")
                .setToolVersion(settings.toolVersion())
                .setAllowInsecureRegistries(settings.allowInsecure())
                .setBaseImageLayersCache(settings.cacheDir().resolve("jib/base"))
                .setApplicationLayersCache(settings.cacheDir().resolve("jib/app"))
                .addEventHandler(LogEvent.class, event -> {
                    if (event.getLevel() == LogEvent.Level.WARN || event.getLevel() == LogEvent.Level.ERROR) {
                        warnings.add(event.getMessage());
                    }
                })
                // jib reports the fraction done from several threads; the Progress draws the highest seen
                .addEventHandler(
                        ProgressEvent.class,
                        new ProgressEventHandler(update -> progress.advance(
                                label, Math.round(update.getProgress() * PROGRESS_UNITS), PROGRESS_UNITS)));
    }

    /** Fails with a usage error unless the reference parses (before anything is read or built). */
    public static void checkReference(String reference) {
        parse(reference, "image reference");
    }

    static ImageReference parse(String reference, String what) {
        try {
            return ImageReference.parse(reference);
        } catch (InvalidImageReferenceException e) {
            throw MldevException.usage(
                    "'" + reference + "' is not a valid " + what,
                    "use REGISTRY/REPOSITORY:TAG, e.g. us-central1-docker.pkg.dev/PROJECT/REPO/mldev-serve:1");
        }
    }

    /** One line for what went wrong talking to a registry, and what to do about it. */
    private MldevException explain(Exception e, ImageDestination destination) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof MldevException known) {
            return known;
        }
        String registry = parse(destination.reference(), "image reference").getRegistry();
        if (cause instanceof RegistryUnauthorizedException || cause instanceof RegistryAuthenticationFailedException) {
            return MldevException.remote(
                    "the registry refused the push: " + Failures.firstLine(cause),
                    RegistryAuth.isGoogleRegistry(registry)
                            ? "run 'gcloud auth application-default login' and check that the account has "
                                    + "roles/artifactregistry.writer on the repository"
                            : "pass --auth adc to send Application Default Credentials, or check the registry's "
                                    + "access rules",
                    cause);
        }
        if (cause instanceof InsecureRegistryException) {
            return MldevException.remote(
                    "a registry does not speak HTTPS: " + Failures.firstLine(cause),
                    "pass --insecure-registry for a registry you trust on a private network",
                    cause);
        }
        if (cause instanceof RegistryCredentialsNotSentException) {
            return MldevException.remote(
                    "a registry asked for credentials over plain HTTP, which mldev does not " + "send: "
                            + Failures.firstLine(cause),
                    "serve the registry over HTTPS",
                    cause);
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof SSLException) {
                return MldevException.remote(
                        "cannot reach the registry for " + destination.reference() + ": " + Failures.firstLine(t),
                        "check the registry address and your network (plain HTTP needs --insecure-registry)",
                        cause);
            }
        }
        if (cause instanceof RegistryException) {
            return MldevException.remote("the registry failed: " + Failures.firstLine(cause), null, cause);
        }
        return new MldevException(
                MldevException.Kind.FAILURE,
                "building " + destination.reference() + " failed: " + Failures.firstLine(cause),
                "run again with --verbose for the stack trace",
                cause);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover hidden .partial file is harmless and overwritten next time
        }
    }
}
