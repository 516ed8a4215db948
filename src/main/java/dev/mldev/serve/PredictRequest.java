package dev.mldev.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A predict request's body: {@code {"instances":[{"b64":...}],"parameters":{"top_k":3}}}, still encoded images. */
record PredictRequest(List<byte[]> images, int topK) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A body that is not a predict request: its message says what is wrong. */
    static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    static PredictRequest parse(byte[] body) throws BadRequest {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequest("body is not JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        JsonNode instances = root == null ? null : root.get("instances");
        if (instances == null || !instances.isArray() || instances.isEmpty()) {
            throw new BadRequest("expected {\"instances\":[{\"b64\":\"<image bytes, base64>\"}, ...]}");
        }
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            JsonNode b64 = instances.get(i).get("b64");
            if (b64 == null || !b64.isTextual()) {
                throw new BadRequest("instances[" + i + "] has no \"b64\" string");
            }
            try {
                images.add(Base64.getDecoder().decode(b64.asText()));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("instances[" + i + "].b64 is not valid base64: " + e.getMessage());
            }
        }
        JsonNode topK = root.path("parameters").path("top_k");
        if (!topK.isMissingNode() && (!topK.canConvertToInt() || topK.asInt() < 0)) {
            throw new BadRequest("parameters.top_k must be a whole number, 0 or more");
        }
        return new PredictRequest(images, topK.asInt(0));
    }

    static String name(int index) {
        return "instances[" + index + "]";
    }
}
