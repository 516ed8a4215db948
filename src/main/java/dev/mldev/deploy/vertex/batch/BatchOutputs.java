package dev.mldev.deploy.vertex.batch;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.mldev.MldevException;
import dev.mldev.cloud.GcsLocation;
import dev.mldev.cloud.GcsTransfer;
import dev.mldev.runtime.Prediction;
import dev.mldev.runtime.Predictor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what a batch job wrote under its output directory: JSON Lines files named {@code predictions*} of
 * {"instance": ..., "prediction": ...} and {@code errors*} of {"instance": ..., "error": ...}, in any order and
 * split over any number of files, as Vertex AI writes them. Answers go back to the images by their instance.
 */
final class BatchOutputs {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private BatchOutputs() {}

    /** The predictions in the order of {@code images}; every image must have an answer. */
    static List<Prediction> forImages(GcsTransfer gcs, GcsLocation outputDir, List<Predictor.Input> images) {
        Map<String, List<Integer>> byInstance = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            byInstance
                    .computeIfAbsent(Instances.b64(images.get(i)), k -> new ArrayList<>())
                    .add(i);
        }
        Prediction[] answers = new Prediction[images.size()];
        for (Answer answer : read(gcs, outputDir)) {
            for (int i : byInstance.getOrDefault(answer.instance().path("b64").asText(), List.of())) {
                answers[i] = answer.prediction().withImage(images.get(i).name());
            }
        }
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] == null) {
                missing.add(images.get(i).name());
            }
        }
        if (!missing.isEmpty()) {
            throw MldevException.remote(
                    "the batch job wrote no prediction for " + String.join(", ", missing),
                    "see the files under " + outputDir.uri(),
                    null);
        }
        return List.of(answers);
    }

    /** Every prediction, named "instance N" in the order read: inputs from Cloud Storage have no file names here. */
    static List<Prediction> all(GcsTransfer gcs, GcsLocation outputDir) {
        List<Answer> answers = read(gcs, outputDir);
        List<Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            predictions.add(answers.get(i).prediction().withImage("instance " + (i + 1)));
        }
        return predictions;
    }

    private record Answer(JsonNode instance, Prediction prediction) {}

    private static List<Answer> read(GcsTransfer gcs, GcsLocation outputDir) {
        List<Answer> answers = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String name : gcs.list(outputDir)) {
            String file = name.substring(name.lastIndexOf('/') + 1);
            boolean predictions = file.startsWith("prediction");
            if (!predictions && !file.startsWith("errors")) {
                continue;
            }
            String text = new String(gcs.read(outputDir, name), StandardCharsets.UTF_8);
            for (String line : (Iterable<String>) text.lines().filter(l -> !l.isBlank())::iterator) {
                JsonNode row = parse(line, outputDir.uri() + name);
                if (predictions) {
                    answers.add(new Answer(
                            row.path("instance"), prediction(row.path("prediction"), outputDir.uri() + name)));
                } else {
                    errors.add(row.path("error")
                            .path("message")
                            .asText(row.path("error").toString()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw MldevException.remote(
                    errors.size() + " instance(s) failed in the batch job, the first: " + errors.get(0),
                    "see the errors files under " + outputDir.uri(),
                    null);
        }
        return answers;
    }

    private static JsonNode parse(String line, String file) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw MldevException.remote(file + " has a line that is not JSON: " + e.getMessage(), null, e);
        }
    }

    private static Prediction prediction(JsonNode node, String file) {
        try {
            return JSON.treeToValue(node, Prediction.class);
        } catch (IOException e) {
            throw MldevException.remote(
                    file + " holds a prediction that is not mldev's JSON: " + e.getMessage(), null, e);
        }
    }
}
