package dev.mldev.deploy.vertex.batch;

import dev.mldev.runtime.Predictor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Images as the JSON Lines file a batch job reads: one {"b64": "..."} instance a line, as the serving container takes them. */
final class Instances {
    private Instances() {}

    static byte[] jsonl(List<Predictor.Input> images) {
        StringBuilder lines = new StringBuilder();
        for (Predictor.Input image : images) {
            lines.append("{\"b64\":\"").append(b64(image)).append("\"}\n");
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String b64(Predictor.Input image) {
        return Base64.getEncoder().encodeToString(image.bytes());
    }
}
