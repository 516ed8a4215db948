package dev.mldev.cli;

import dev.mldev.MldevException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The image files {@code mldev predict} names: each file as given, and a directory's image files (by their
 * extension) sorted by name; with {@code recursive}, those of its subdirectories too, each directory's files
 * before its subdirectories'. Only paths are listed here: the images are read as the predictions reach them.
 */
final class ImageWalk {
    private static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

    private ImageWalk() {}

    /**
     * Throws MldevException for a missing path, a device, pipe or socket, and a directory without images: the
     * command line names something that is not there, before any model is loaded.
     */
    static List<Path> expand(List<Path> arguments, boolean recursive) {
        List<Path> images = new ArrayList<>();
        for (Path argument : arguments) {
            if (!Files.exists(argument)) {
                throw MldevException.failure("image " + argument + " does not exist", "check the path");
            }
            if (Files.isDirectory(argument)) {
                int before = images.size();
                addDirectory(argument, recursive, images);
                if (images.size() == before) {
                    throw MldevException.failure(
                            "directory " + argument + " has no PNG, JPEG, BMP or GIF files"
                                    + (recursive ? " in it or below it" : ""),
                            recursive ? "check the path" : "add --recursive to take those of its subdirectories too");
                }
            } else if (Files.isRegularFile(argument)) {
                images.add(argument);
            } else {
                throw MldevException.usage(
                        "image " + argument + " is not a regular file (a device, pipe or socket)",
                        "save the image to a file and pass that");
            }
        }
        return images;
    }

    private static void addDirectory(Path directory, boolean recursive, List<Path> images) {
        List<Path> subdirectories = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : (Iterable<Path>) entries.sorted(Comparator.comparing(Path::toString))::iterator) {
                if (Files.isDirectory(entry)) {
                    subdirectories.add(entry);
                } else if (Files.isRegularFile(entry) && isImageName(entry)) {
                    images.add(entry);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw MldevException.failure(
                    "cannot list directory " + directory + ": " + e.getMessage(), "check its permissions");
        }
        if (recursive) {
            for (Path subdirectory : subdirectories) {
                if (!Files.isSymbolicLink(subdirectory)) { // a link back up would walk forever
                    addDirectory(subdirectory, true, images);
                }
            }
        }
    }

    private static boolean isImageName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
