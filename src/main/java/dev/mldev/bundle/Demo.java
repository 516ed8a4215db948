package dev.mldev.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the demo page of {@code mldev serve} shows about the model: an optional part of {@code mldev.json}
 * ({@code "demo"}), written by {@code mldev package --title --description --example}. Older mldev versions ignore it.
 *
 * @param title       shown as the page's heading instead of the bundle's name, or null
 * @param description a paragraph under it, or null
 * @param examples    image files inside the bundle, offered on the page as examples to click (may be empty)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Demo(String title, String description, List<String> examples) {
    /** Most example images a bundle may carry. */
    public static final int MAX_EXAMPLES = 8;
    /** Largest example image, in bytes: examples travel inside every copy of the bundle. */
    public static final long MAX_EXAMPLE_BYTES = 2L * 1024 * 1024;
    /** Longest title and description, in characters. */
    public static final int MAX_TITLE = 200;

    public static final int MAX_DESCRIPTION = 2000;

    public Demo {
        examples = examples == null ? List.of() : List.copyOf(examples);
    }

    /** The file name an example is stored under in the bundle: example-1.png, example-2.jpg... */
    public static String exampleFile(int index, String extension) {
        return "example-" + (index + 1) + "." + extension;
    }
}
