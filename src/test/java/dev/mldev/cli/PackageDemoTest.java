package dev.mldev.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import dev.mldev.bundle.Bundle;
import dev.mldev.bundle.Demo;
import dev.mldev.testing.CliRun;
import dev.mldev.testing.TestModels;
import dev.mldev.testing.TextImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mldev package --title --description --example: what the demo page shows, stored in the bundle; bad examples refused. */
class PackageDemoTest {
    @TempDir
    Path home;

    private CliRun pack(String out, String... flags) {
        List<String> args = new ArrayList<>(List.of(
                "package",
                TestModels.file(TestModels.CLS).toString(),
                "--preset",
                "ppocr-cls",
                "--out",
                home.resolve(out).toString()));
        args.addAll(List.of(flags));
        return CliRun.run(home, args.toArray(String[]::new));
    }

    private static void assertUsage(CliRun run, String message) {
        assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
        assertThat(run.err).contains(message).doesNotContain("Exception");
    }

    @Test
    void examplesAreCopiedUnderNamesThatSayTheirFormat() throws Exception {
        Path png = TextImages.write(TextImages.line("one"), home.resolve("one.PNG"));
        Path jpeg = TextImages.write(TextImages.line("two"), home.resolve("two.jpeg"));
        CliRun run = pack(
                "cls",
                "--title",
                "Upright or not",
                "--description",
                "Tells a line from its upside-down twin.",
                "--example",
                png.toString(),
                jpeg.toString());
        assertThat(run.exitCode).as(run.toString()).isZero();

        Bundle bundle = Bundle.open(home.resolve("cls"));
        assertThat(bundle.manifest().demo())
                .isEqualTo(new Demo(
                        "Upright or not",
                        "Tells a line from its upside-down twin.",
                        List.of("example-1.png", "example-2.jpg")));
        assertThat(Files.readAllBytes(bundle.example(0).orElseThrow())).isEqualTo(Files.readAllBytes(png));
        assertThat(Files.readAllBytes(bundle.example(1).orElseThrow())).isEqualTo(Files.readAllBytes(jpeg));
        assertThat(bundle.example(2)).isEmpty();
    }

    @Test
    void withoutTheFlagsTheBundleHasNoDemoSection() throws Exception {
        assertThat(pack("plain").exitCode).isZero();
        assertThat(Files.readString(home.resolve("plain/mldev.json"))).doesNotContain("\"demo\"");
        assertThat(Bundle.open(home.resolve("plain")).manifest().demo()).isNull();
    }

    @Test
    void anExampleMustBeAnImageMldevCanRead() throws Exception {
        Path notes = Files.writeString(home.resolve("notes.png"), "not an image");
        assertUsage(
                pack("a", "--example", notes.toString()),
                "--example image " + notes + " is not an image mldev can read");
        assertUsage(
                pack("b", "--example", home.resolve("absent.png").toString()),
                "--example file " + home.resolve("absent.png") + " does not exist");
        assertThat(home.resolve("a")).doesNotExist();
    }

    @Test
    void examplesAreSizeLimited() throws Exception {
        Path big = home.resolve("big.png");
        Files.write(big, new byte[(int) Demo.MAX_EXAMPLE_BYTES + 1]);
        assertUsage(
                pack("c", "--example", big.toString()), "--example " + big + " has 2097153 bytes, more than the 2 MiB");
        Path one = TextImages.write(TextImages.line("x"), home.resolve("x.png"));
        List<String> many = new ArrayList<>(List.of("--example"));
        for (int i = 0; i <= Demo.MAX_EXAMPLES; i++) {
            many.add(one.toString());
        }
        assertUsage(pack("d", many.toArray(String[]::new)), "9 --example images given; a bundle holds at most 8");
        assertUsage(pack("e", "--title", "t".repeat(Demo.MAX_TITLE + 1)), "--title has 201 characters; at most 200");
    }

    @Test
    void aManifestWhoseExamplePointsOutsideTheBundleIsRefused() throws Exception {
        Path one = TextImages.write(TextImages.line("x"), home.resolve("x.png"));
        assertThat(pack("f", "--example", one.toString()).exitCode).isZero();
        Path manifest = home.resolve("f/mldev.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"example-1.png\"", "\"../x.png\""));
        assertThatThrownBy(() -> Bundle.open(home.resolve("f")))
                .isInstanceOf(MldevException.class)
                .hasMessageContaining("demo.examples[0] \"../x.png\" is outside the bundle");
    }
}
