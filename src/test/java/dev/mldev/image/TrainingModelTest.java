package dev.mldev.image;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingModelTest {
    @Test
    void onnxRuntimeRunsItAsAClassifierOfTheClassifierPresetsShape() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(TrainingModel.bytes())) {
            TensorInfo input = (TensorInfo) session.getInputInfo().get("x").getInfo();
            assertThat(input.getShape()).containsExactly(-1, 3, 48, -1);

            float[] pixels = new float[2 * 3 * 48 * 64];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (i % 7) / 7f;
            }
            try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), new long[] {2, 3, 48, 64});
                    OrtSession.Result result = session.run(Map.of("x", x))) {
                float[][] prob = (float[][]) result.get("prob").orElseThrow().getValue();
                assertThat(prob).hasDimensions(2, 2);
                assertThat(prob[0][0] + prob[0][1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }
}
