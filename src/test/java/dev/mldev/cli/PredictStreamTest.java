package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict over directories, streamed: --recursive, --jsonl, the incremental --json array, --continue-on-error, --resume. */
class PredictStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static Path cls;
    static Path scans;

    @BeforeAll
    static void packageAndRender() throws IOException {
        cls = home.resolve("cls");
        CliRun r = CliRun.run(
                home,
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                cls.toString());
        assertThat(r.exitCode).as(r.toString()).isZero();
        scans = Files.createDirectories(home.resolve("scans/sub"));
        TextImages.write(TextImages.line("second"), scans.getParent().resolve("b.png"));
        TextImages.write(
                TextImages.rotated180(TextImages.line("first")),
                scans.getParent().resolve("a.jpg"));
        TextImages.write(TextImages.line("below"), scans.resolve("c.png"));
        Files.writeString(scans.getParent().resolve("notes.txt"), "not an image, not taken");
        scans = scans.getParent();
    }

    static CliRun predict(String... args) {
        return CliRun.run(
                home,
                Stream.concat(Stream.of("predict", "--device", "cpu", "--model", cls.toString()), Stream.of(args))
                        .toArray(String[]::new));
    }

    static List<JsonNode> jsonLines(String text) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    static List<String> images(List<JsonNode> results) {
        return results.stream()
                .map(n -> home.relativize(Path.of(n.get("image").asText())).toString())
                .toList();
    }

    @Test
    void aDirectoryGivesItsImagesSortedAndRecursiveTheirSubdirectoriesToo() throws IOException {
        CliRun flat = predict(scans.toString(), "--jsonl");
        assertThat(flat.exitCode).as(flat.toString()).isZero();
        assertThat(images(jsonLines(flat.out))).containsExactly("scans/a.jpg", "scans/b.png");
        assertThat(jsonLines(flat.out)).extracting(n -> n.get("label").asText()).containsExactly("180", "0");

        CliRun deep = predict(scans.toString(), "--recursive", "--jsonl");
        assertThat(deep.exitCode).as(deep.toString()).isZero();
        assertThat(images(jsonLines(deep.out))).containsExactly("scans/a.jpg", "scans/b.png", "scans/sub/c.png");
    }

    @Test
    void badFilesAreReportedInTheOutputAndTheExitCodeWithContinueOnError() throws IOException {
        Path mixed = Files.createDirectories(home.resolve("mixed"));
        TextImages.write(TextImages.line("one"), mixed.resolve("1.png"));
        Files.writeString(mixed.resolve("2.png"), "not pixels");
        TextImages.write(TextImages.line("three"), mixed.resolve("3.png"));

        CliRun r = predict(mixed.toString(), "--jsonl", "--continue-on-error");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        List<JsonNode> lines = jsonLines(r.out);
        assertThat(images(lines)).containsExactly("mixed/1.png", "mixed/2.png", "mixed/3.png");
        assertThat(lines.get(1).get("error").asText()).contains("2.png", "not an image");
        assertThat(lines.get(1).has("label")).isFalse();
        assertThat(lines.get(2).get("label").asText()).isEqualTo("0");
        assertThat(r.err).contains("1 of 3 images failed");

        CliRun text = predict(mixed.toString(), "--continue-on-error");
        assertThat(text.exitCode).isEqualTo(1);
        assertThat(text.out.lines().toList().get(1))
                .startsWith(mixed.resolve("2.png") + "  error: ")
                .contains("not an image");

        CliRun array = predict(mixed.toString(), "--json", "--continue-on-error");
        assertThat(array.exitCode).isEqualTo(1);
        JsonNode parsed = JSON.readTree(array.out);
        assertThat(parsed).hasSize(3);
        assertThat(parsed.get(1).get("error").asText()).contains("not an image");
    }

    /** Without --continue-on-error the run stops at the bad file; what was written stays a valid array. */
    @Test
    void aBadFileStopsTheRunAndTheArraySoFarIsClosed() throws IOException {
        Path stop = Files.createDirectories(home.resolve("stop"));
        TextImages.write(TextImages.line("one"), stop.resolve("1.png"));
        Files.writeString(stop.resolve("2.png"), "not pixels");
        TextImages.write(TextImages.line("three"), stop.resolve("3.png"));

        CliRun r = predict(stop.toString(), "--json");
        assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
        assertThat(r.err).contains("2.png", "not an image");
        JsonNode parsed = JSON.readTree(r.out);
        assertThat(images(List.of(parsed.get(0)))).containsExactly("stop/1.png");
        assertThat(parsed).hasSize(1);
    }

    @Test
    void resumeSkipsWhatTheFileHasAndRewritesAPartialLastLine() throws IOException {
        Path lines = Files.createDirectories(home.resolve("resume"));
        for (int i = 0; i < 4; i++) {
            TextImages.write(TextImages.line("line " + i), lines.resolve(i + ".png"));
        }
        Path out = home.resolve("resume.jsonl");
        // a run killed while writing its third line: two whole lines, the first of them marked so a re-prediction shows
        String first = "{\"image\":\"" + lines.resolve("0.png") + "\",\"label\":\"from the first run\"}\n";
        String second =
                JSON.writeValueAsString(jsonLines(predict(lines.resolve("1.png").toString(), "--jsonl").out)
                        .get(0));
        Files.writeString(out, first + second + "\n{\"image\":\"" + lines.resolve("2.p"));

        CliRun r = predict(lines.toString(), "--output", out.toString(), "--resume");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.out).isEmpty();
        List<JsonNode> results = jsonLines(Files.readString(out, StandardCharsets.UTF_8));
        assertThat(images(results)).containsExactly("resume/0.png", "resume/1.png", "resume/2.png", "resume/3.png");
        assertThat(results.get(0).get("label").asText()).isEqualTo("from the first run");
        assertThat(results.get(3).get("label").asText()).isEqualTo("0");

        CliRun again = predict(lines.toString(), "--output", out.toString(), "--resume");
        assertThat(again.exitCode).as(again.toString()).isZero();
        assertThat(again.err).contains("every image already has its result in " + out);
        assertThat(jsonLines(Files.readString(out))).hasSize(4);
    }

    @Test
    void resumeRefusesAFileItDidNotWrite() throws IOException {
        Path other = Files.writeString(home.resolve("other.jsonl"), "{\"image\":\"x.png\"}\nname,label\n");
        CliRun r = predict(scans.toString(), "--output", other.toString(), "--resume");
        BadInputTest.assertRefused(r, 2, "other.jsonl line 2 is not a result of 'mldev predict --jsonl'");
        assertThat(Files.readString(other)).endsWith("name,label\n");
    }

    @Test
    void flagsThatDoNotGoTogetherAreUsageErrors() {
        BadInputTest.assertRefused(predict(scans.toString(), "--resume"), 2, "--resume needs --output FILE");
        BadInputTest.assertRefused(
                predict(scans.toString(), "--json", "--jsonl"), 2, "--json and --jsonl cannot be combined");
        BadInputTest.assertRefused(
                predict(
                        scans.toString(),
                        "--json",
                        "--output",
                        home.resolve("o").toString(),
                        "--resume"),
                2,
                "--resume continues a JSON Lines file");
    }
}
