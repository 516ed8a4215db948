package dev.mldev.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mldev.Json;
import dev.mldev.MldevException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The JSON Lines file of an earlier {@code predict --output FILE --jsonl} that {@code --resume} continues: which
 * images it already answered (a failure reported there counts as answered). A last line without its newline was
 * cut off by a killed run: it is removed, and its image predicted again.
 */
final class ResumeFile {
    private ResumeFile() {}

    /** The images named in {@code file}'s complete lines, after cutting off a partial last line; none if absent. */
    static Set<String> answered(Path file) {
        Set<String> images = new HashSet<>();
        if (!Files.exists(file)) {
            return images;
        }
        long complete = 0;
        int lineNumber = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long offset = 0;
            for (int b = in.read(); b != -1; b = in.read()) {
                offset++;
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                lineNumber++;
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                complete = offset;
                if (!text.isBlank()) {
                    images.add(imageOf(text, file, lineNumber));
                }
            }
            if (offset > complete) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(complete);
                }
            }
        } catch (IOException e) {
            throw MldevException.failure(
                    "cannot read " + file + " to resume: " + e.getMessage(), "check its permissions");
        }
        return images;
    }

    private static String imageOf(String line, Path file, int lineNumber) {
        try {
            JsonNode node = Json.MAPPER.readTree(line);
            if (node != null && node.path("image").isTextual()) {
                return node.get("image").asText();
            }
        } catch (JsonProcessingException e) {
            // said below
        }
        throw MldevException.usage(
                file + " line " + lineNumber + " is not a result of 'mldev predict --jsonl'",
                "--resume continues a file written by --output FILE --jsonl; pick another --output file");
    }
}
