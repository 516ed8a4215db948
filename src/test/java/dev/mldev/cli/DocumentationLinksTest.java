package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** README.md is the front door to docs/: it stays short, reaches every page, and no link in either goes nowhere. */
class DocumentationLinksTest {
    private static final Path README = Path.of("README.md");
    private static final Path DOCS = Path.of("docs");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#+ (.+)$");

    @Test
    void theReadmeStaysAFrontDoor() throws IOException {
        assertThat(Files.size(README))
                .as("README.md: keep it under 16 KB, move detail to docs/")
                .isLessThan(16 * 1024);
        assertThat(Files.readString(README))
                .as("the README's test command is what .ci/run runs")
                .contains("scripts/fetch-test-models && mvn -B verify");
    }

    @Test
    void theReadmeLinksEveryDocsPage() throws IOException {
        List<String> linked = links(README);
        for (Path page : pages()) {
            if (!page.equals(README)) {
                assertThat(linked).as("README.md links %s", page).contains(page.toString());
            }
        }
    }

    @Test
    void everyRelativeLinkReachesAFileAndItsHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            for (String link : links(page)) {
                if (link.matches("^[a-z]+:.*")) {
                    continue; // https:, mailto: and the like are not checked offline
                }
                String[] fileAndAnchor = link.split("#", 2);
                Path target = fileAndAnchor[0].isEmpty()
                        ? page
                        : page.toAbsolutePath()
                                .getParent()
                                .resolve(fileAndAnchor[0])
                                .normalize();
                if (!Files.exists(target)) {
                    broken.add(page + ": " + link + " (no such file)");
                } else if (fileAndAnchor.length == 2 && !anchors(target).contains(fileAndAnchor[1])) {
                    broken.add(page + ": " + link + " (no such heading)");
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(README));
        try (Stream<Path> docs = Files.list(DOCS)) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static List<String> links(Path page) throws IOException {
        List<String> links = new ArrayList<>();
        for (String line : prose(page)) {
            Matcher m = LINK.matcher(line);
            while (m.find()) {
                links.add(m.group(1));
            }
        }
        return links;
    }

    /** GitHub's anchors: the heading in lower case, without punctuation, spaces made hyphens. */
    private static List<String> anchors(Path page) throws IOException {
        List<String> anchors = new ArrayList<>();
        for (String line : prose(page)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                anchors.add(m.group(1)
                        .toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "")
                        .replace(' ', '-'));
            }
        }
        return anchors;
    }

    /** The page's lines outside fenced code blocks. */
    private static List<String> prose(Path page) throws IOException {
        List<String> prose = new ArrayList<>();
        boolean inCode = false;
        for (String line : Files.readAllLines(page)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode) {
                prose.add(line);
            }
        }
        return prose;
    }
}
