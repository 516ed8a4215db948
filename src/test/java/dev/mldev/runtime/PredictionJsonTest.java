package dev.mldev.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.mldev.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hand-written writer gives what databind would, and what clients read back is what was written. */
class PredictionJsonTest {
    private static final Prediction TEXT = new Prediction(
            "a.png",
            "Scale to \"zero\"",
            null,
            0.96,
            null,
            null,
            "CPUExecutionProvider",
            new Prediction.Timings(1.5, 0.25, 19.125, 0.0));
    private static final Prediction LABEL = new Prediction(
            "instances[1]",
            null,
            "180",
            0.75,
            List.of(new Prediction.Scored("180", 0.75), new Prediction.Scored("0", 0.25)),
            null,
            "CUDAExecutionProvider",
            null);
    private static final Prediction RAW = new Prediction(
            "c.jpg", null, null, null, null, rawOutputs(), "CPUExecutionProvider", new Prediction.Timings(0, 0, 0, 0));

    @Test
    void theArrayIsWhatDatabindWritesForPredictJson() throws Exception {
        assertThat(PredictionJson.array(List.of(TEXT, LABEL, RAW))).isEqualTo(Json.write(List.of(TEXT, LABEL, RAW)));
    }

    @Test
    void theStreamedArrayIsTheWholeArrayWrittenPieceByPiece() {
        java.io.StringWriter out = new java.io.StringWriter();
        PredictionJson.ArrayWriter array = new PredictionJson.ArrayWriter(out);
        assertThat(out.toString()).as("nothing before the first result").isEmpty();
        array.write(ImageResult.of(TEXT));
        assertThat(out.toString()).as("flushed as it comes").contains("Scale to");
        array.write(ImageResult.of(LABEL));
        array.write(ImageResult.of(RAW));
        array.finish();
        assertThat(out.toString()).isEqualTo(PredictionJson.array(List.of(TEXT, LABEL, RAW)));

        java.io.StringWriter empty = new java.io.StringWriter();
        new PredictionJson.ArrayWriter(empty).finish();
        assertThat(empty.toString()).isEqualTo(PredictionJson.array(List.of()));
    }

    @Test
    void aFailedImageIsItsNameTheErrorAndTheHint() throws Exception {
        String line = PredictionJson.line(ImageResult.failed(
                "x.png", dev.mldev.MldevException.failure("image x.png is not an image", "pass PNG or JPEG files")));
        assertThat(new ObjectMapper().readTree(line))
                .isEqualTo(
                        new ObjectMapper()
                                .readTree(
                                        "{\"image\":\"x.png\",\"error\":\"image x.png is not an image\",\"hint\":\"pass PNG or JPEG files\"}"));
        assertThat(line).doesNotContain("\n");
    }

    @Test
    void theServeResponseReadsBackAsWritten() throws Exception {
        ObjectMapper client = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        String response = PredictionJson.response(List.of(TEXT, LABEL, RAW));
        assertThat(response).doesNotContain("\n").doesNotContain("null");

        JsonNode predictions = client.readTree(response).get("predictions");
        assertThat(client.treeToValue(predictions.get(0), Prediction.class)).isEqualTo(TEXT);
        assertThat(client.treeToValue(predictions.get(1), Prediction.class)).isEqualTo(LABEL);
        Prediction raw = client.treeToValue(predictions.get(2), Prediction.class);
        assertThat(raw.outputs().get("logits").shape()).containsExactly(1L, 3L);
        assertThat(raw.outputs().get("logits").data()).containsExactly(0.5f, -1.25f, 3e-8f);
        assertThat(raw.outputs().get("empty").data()).isEmpty();
    }

    private static Map<String, Prediction.RawOutput> rawOutputs() {
        Map<String, Prediction.RawOutput> outputs = new LinkedHashMap<>();
        outputs.put("logits", new Prediction.RawOutput(List.of(1L, 3L), new float[] {0.5f, -1.25f, 3e-8f}));
        outputs.put("empty", new Prediction.RawOutput(List.of(0L), new float[0]));
        return outputs;
    }
}
