package dev.mldev.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * File names from the command line. The JVM encodes file names with the locale's charset: under LC_ALL=C a
 * non-ASCII name cannot be encoded at all (its bytes were already lost when the arguments were decoded), so
 * the user is told which locale to set instead of getting an InvalidPathException.
 */
final class PathConverter implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            String encoding = System.getProperty("sun.jnu.encoding", "?");
            boolean unmappable = e.getReason().startsWith("Malformed input or input contains unmappable characters");
            throw new CommandLine.TypeConversionException("'" + value + "' is not a file name mldev can open: "
                    + (unmappable
                            ? "it has characters the file name encoding " + encoding + " lacks; run with a UTF-8"
                                    + " locale, e.g. LC_ALL=C.UTF-8"
                            : e.getReason()));
        }
    }
}
