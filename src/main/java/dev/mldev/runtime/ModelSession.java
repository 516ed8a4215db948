package dev.mldev.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.mldev.Failures;
import dev.mldev.MldevException;
import dev.mldev.bundle.Manifest.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** One loaded model: runs float input tensors and copies the outputs out as {@link Tensor}s. */
public final class ModelSession implements AutoCloseable {
    private final OrtSession session;
    private final String provider;
    private final String inputName;
    private FloatBuffer inputBuffer;

    ModelSession(OrtSession session, String provider) {
        this.session = session;
        this.provider = provider;
        this.inputName = session.getInputNames().iterator().next();
    }

    /** The execution provider that runs this session, e.g. CPUExecutionProvider. */
    public String provider() {
        return provider;
    }

    public List<TensorSpec> inputs() {
        return specs(infoOf(true));
    }

    public List<TensorSpec> outputs() {
        return specs(infoOf(false));
    }

    /** Runs the first input with {@code shape} filled from data[0..count). Not thread-safe: one batch at a time. */
    public synchronized List<Tensor> run(float[] data, long[] shape) {
        int count = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
        FloatBuffer input = inputBuffer(count);
        input.put(data, 0, count).flip();
        try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), input, shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            List<Tensor> outputs = new ArrayList<>();
            for (Map.Entry<String, OnnxValue> entry : result) {
                outputs.add(copy(entry.getKey(), (OnnxTensor) entry.getValue()));
            }
            return outputs;
        } catch (OrtException e) {
            throw MldevException.failure(
                    "the model failed on an input of shape " + Arrays.toString(shape) + ": " + Failures.firstLine(e),
                    "check the bundle's preprocessing against the model");
        }
    }

    @Override
    public synchronized void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing frees native memory; a failure here leaves nothing to do
        }
    }

    /** A direct buffer ONNX Runtime reads without copying, grown as needed and reused. */
    private FloatBuffer inputBuffer(int count) {
        if (inputBuffer == null || inputBuffer.capacity() < count) {
            inputBuffer = ByteBuffer.allocateDirect(count * Float.BYTES)
                    .order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        inputBuffer.clear();
        return inputBuffer;
    }

    private static Tensor copy(String name, OnnxTensor tensor) {
        long[] shape = tensor.getInfo().getShape();
        float[] data;
        switch (tensor.getInfo().type) {
            case FLOAT -> {
                FloatBuffer buffer = tensor.getFloatBuffer();
                data = new float[buffer.remaining()];
                buffer.get(data);
            }
            case DOUBLE -> data = toFloats(tensor.getDoubleBuffer());
            case INT64 -> data = toFloats(tensor.getLongBuffer());
            case INT32 -> data = toFloats(tensor.getIntBuffer());
            default ->
                throw MldevException.failure(
                        "output " + name + " has type " + tensor.getInfo().type + ", which mldev cannot read",
                        "export the model with float, double or integer outputs");
        }
        return new Tensor(name, shape, data);
    }

    private static float[] toFloats(java.nio.DoubleBuffer buffer) {
        float[] out = new float[buffer.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) buffer.get(i);
        }
        return out;
    }

    private static float[] toFloats(java.nio.LongBuffer buffer) {
        float[] out = new float[buffer.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = buffer.get(i);
        }
        return out;
    }

    private static float[] toFloats(java.nio.IntBuffer buffer) {
        float[] out = new float[buffer.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = buffer.get(i);
        }
        return out;
    }

    private Map<String, NodeInfo> infoOf(boolean inputs) {
        try {
            return inputs ? session.getInputInfo() : session.getOutputInfo();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> info) {
        List<TensorSpec> specs = new ArrayList<>();
        for (NodeInfo node : info.values()) {
            if (node.getInfo() instanceof TensorInfo t) {
                specs.add(new TensorSpec(
                        node.getName(),
                        t.type.name(),
                        Arrays.stream(t.getShape()).boxed().toList()));
            } else {
                specs.add(new TensorSpec(node.getName(), node.getInfo().toString(), List.of()));
            }
        }
        return specs;
    }
}
