package dev.mldev.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mldev.MldevException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link ManifestIo#write} writes, {@link ManifestIo#read} reads back unchanged; bad files are one line. */
class ManifestIoTest {
    private static Manifest manifest(String preset, Postprocess postprocess, Serving serving) {
        return new Manifest(
                Manifest.SCHEMA,
                "demo",
                "0123456789ab",
                new Manifest.ModelFile("model.onnx", "ab".repeat(32)),
                List.of(new Manifest.TensorSpec("x", "FLOAT", List.of(-1L, 3L, 48L, -1L))),
                List.of(
                        new Manifest.TensorSpec("y", "FLOAT", List.of(-1L, -1L, 6625L)),
                        new Manifest.TensorSpec("z", "INT64", List.of())),
                Presets.named(preset).preprocess(),
                postprocess,
                serving);
    }

    @Test
    void everyPostprocessAndServingRoundTrips() {
        for (Manifest m : List.of(
                manifest("ppocr-rec", new Postprocess.Ctc("vocab.txt", 0, true), Serving.defaults()),
                manifest(
                        "ppocr-cls",
                        new Postprocess.Classify("labels.txt", 2, false),
                        Serving.defaults().withImage("r/i:1")),
                manifest("imagenet", new Postprocess.Classify("labels.txt", 5, true), null),
                manifest("imagenet", new Postprocess.Raw(), Serving.defaults()))) {
            assertThat(ManifestIo.read(ManifestIo.write(m), "mldev.json")).isEqualTo(m);
        }
    }

    @Test
    void unknownFieldsAreIgnored() {
        Manifest m = manifest("ppocr-rec", new Postprocess.Ctc("vocab.txt", 0, true), Serving.defaults());
        String json = ManifestIo.write(m).replaceFirst("\\{", "{ \"written_by\" : { \"tool\" : [ 1, 2.5, null ] },");
        assertThat(ManifestIo.read(json, "mldev.json")).isEqualTo(m);
    }

    @Test
    void badJsonSchemaAndTypesAreOneClearLine() {
        assertThatThrownBy(() -> ManifestIo.read("{\"schema\": 1,", "b/mldev.json"))
                .isInstanceOf(MldevException.class)
                .hasMessageStartingWith("b/mldev.json is not valid JSON: ");
        assertThatThrownBy(() -> ManifestIo.read("[]", "b/mldev.json"))
                .hasMessage("b/mldev.json has no \"schema\" field");
        assertThatThrownBy(() -> ManifestIo.read("{\"schema\": 2}", "b/mldev.json"))
                .hasMessage("b/mldev.json has schema 2; this mldev reads schema 1");
        String good = ManifestIo.write(manifest("ppocr-rec", new Postprocess.Ctc("vocab.txt", 0, true), null));
        assertThatThrownBy(() -> ManifestIo.read(good.replace("\"height\" : 48", "\"height\" : \"tall\""), "m"))
                .hasMessage("m: preprocess.resize.height must be a whole number, not \"tall\"");
        assertThatThrownBy(() -> ManifestIo.read(good.replace("\"ctc\"", "\"beam\""), "m"))
                .hasMessage("m: postprocess.type 'beam' is not one of classify, ctc, raw");
        assertThatThrownBy(() -> ManifestIo.read(good.replace("\"inputs\" : [", "\"inputs\" : 3, \"x\" : ["), "m"))
                .hasMessage("m: inputs must be an array of objects, not 3");
        assertThatThrownBy(() -> ManifestIo.read(good.replace("\"shape\" : [ -1,", "\"shape\" : [ \"n\","), "m"))
                .hasMessage("m: inputs[0].shape must be an array of whole numbers, not [n, 3, 48, -1]");
        assertThatThrownBy(() -> ManifestIo.read(good.replace("\"shape\" : [ -1,", "\"shape\" : [ 1.5,"), "m"))
                .hasMessage("m: inputs[0].shape must be an array of whole numbers, not [1.5, 3, 48, -1]");
        assertThatThrownBy(() -> ManifestIo.read(good.replace("\"sha256\" : ", "\"sha256\" : 5, \"x\" : "), "m"))
                .hasMessage("m: model.sha256 must be a string, not 5");
        assertThatThrownBy(() -> ManifestIo.read(good.substring(0, good.length() / 2), "m"))
                .hasMessageStartingWith("m is not valid JSON: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theDemoSectionIsOptionalAndRoundTrips() {
        Manifest plain = manifest("ppocr-rec", new Postprocess.Ctc("vocab.txt", 0, true), Serving.defaults());
        assertThat(ManifestIo.write(plain))
                .as("bundles without a demo are written as before")
                .doesNotContain("\"demo\" :");
        assertThat(ManifestIo.read(ManifestIo.write(plain), "m").demo()).isNull();

        Manifest withDemo =
                plain.withDemo(new Demo("Read a line", "PP-OCR", List.of("example-1.png", "example-2.jpg")));
        assertThat(ManifestIo.read(ManifestIo.write(withDemo), "m")).isEqualTo(withDemo);
        Manifest titleOnly = plain.withDemo(new Demo("Read a line", null, List.of()));
        assertThat(ManifestIo.write(titleOnly)).doesNotContain("description");
        assertThat(ManifestIo.read(ManifestIo.write(titleOnly), "m")).isEqualTo(titleOnly);

        String json = ManifestIo.write(withDemo);
        assertThatThrownBy(() -> ManifestIo.read(json.replace("\"example-2.jpg\"", "7"), "m"))
                .hasMessage("m: demo.examples must be an array of strings, not [example-1.png, 7]");
    }
}
