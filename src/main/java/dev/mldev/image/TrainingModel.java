package dev.mldev.image;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * A tiny image classifier in ONNX, for the training run of the {@link ServeClassArchive}: input {@code x} float
 * [N,3,48,W] as the ppocr-cls preset feeds it, output {@code prob} [N,2] = Softmax(Gather(ReduceMean(x), [0,1])).
 * Its answers mean nothing; what counts is that packaging and serving it load the same classes a real model does.
 * Written with protobuf's encoder by the field numbers of onnx.proto (IR version 8, opset 13).
 */
final class TrainingModel {
    // onnx.proto field numbers
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int OPSET_VERSION = 2;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_NAME = 1;
    private static final int ATTRIBUTE_I = 3;
    private static final int ATTRIBUTE_INTS = 8;
    private static final int ATTRIBUTE_TYPE = 20;
    private static final int ATTRIBUTE_TYPE_INT = 2;
    private static final int ATTRIBUTE_TYPE_INTS = 7;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_INT64_DATA = 7;
    private static final int TENSOR_NAME = 8;
    private static final int VALUE_NAME = 1;
    private static final int VALUE_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    private TrainingModel() {}

    /** The model file's bytes. */
    static byte[] bytes() {
        ByteString graph = message(g -> {
            field(
                    g,
                    GRAPH_NODE,
                    node("ReduceMean", "x", null, "mean", intsAttribute("axes", 2, 3), intAttribute("keepdims", 0)));
            field(g, GRAPH_NODE, node("Gather", "mean", "first_two", "scores", intAttribute("axis", 1)));
            field(g, GRAPH_NODE, node("Softmax", "scores", null, "prob", intAttribute("axis", 1)));
            write(() -> g.writeString(GRAPH_NAME, "mldev-training"));
            field(
                    g,
                    GRAPH_INITIALIZER,
                    message(t -> write(() -> {
                        t.writeInt64(TENSOR_DIMS, 2);
                        t.writeInt32(TENSOR_DATA_TYPE, INT64);
                        t.writeInt64(TENSOR_INT64_DATA, 0);
                        t.writeInt64(TENSOR_INT64_DATA, 1);
                        t.writeString(TENSOR_NAME, "first_two");
                    })));
            field(g, GRAPH_INPUT, floatTensor("x", "N", 3, 48, "W"));
            field(g, GRAPH_OUTPUT, floatTensor("prob", "N", 2));
        });
        return message(m -> {
                    write(() -> m.writeInt64(MODEL_IR_VERSION, 8));
                    field(m, MODEL_OPSET_IMPORT, message(o -> write(() -> o.writeInt64(OPSET_VERSION, 13))));
                    field(m, MODEL_GRAPH, graph);
                })
                .toByteArray();
    }

    private static ByteString node(String op, String input, String secondInput, String output, ByteString... attrs) {
        return message(n -> {
            write(() -> {
                n.writeString(NODE_INPUT, input);
                if (secondInput != null) {
                    n.writeString(NODE_INPUT, secondInput);
                }
                n.writeString(NODE_OUTPUT, output);
                n.writeString(NODE_OP_TYPE, op);
            });
            for (ByteString attr : attrs) {
                field(n, NODE_ATTRIBUTE, attr);
            }
        });
    }

    private static ByteString intAttribute(String name, long value) {
        return message(a -> write(() -> {
            a.writeString(ATTRIBUTE_NAME, name);
            a.writeInt64(ATTRIBUTE_I, value);
            a.writeInt32(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT);
        }));
    }

    private static ByteString intsAttribute(String name, long... values) {
        return message(a -> write(() -> {
            a.writeString(ATTRIBUTE_NAME, name);
            for (long value : values) {
                a.writeInt64(ATTRIBUTE_INTS, value);
            }
            a.writeInt32(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INTS);
        }));
    }

    /** A float tensor input or output; each dimension a fixed size (Integer) or a symbolic name (String). */
    private static ByteString floatTensor(String name, Object... dims) {
        ByteString shape = message(s -> {
            for (Object dim : dims) {
                field(
                        s,
                        SHAPE_DIM,
                        message(d -> write(() -> {
                            if (dim instanceof Integer size) {
                                d.writeInt64(DIM_VALUE, size);
                            } else {
                                d.writeString(DIM_PARAM, (String) dim);
                            }
                        })));
            }
        });
        ByteString tensorType = message(t -> {
            write(() -> t.writeInt32(TENSOR_TYPE_ELEM_TYPE, FLOAT));
            field(t, TENSOR_TYPE_SHAPE, shape);
        });
        return message(v -> {
            write(() -> v.writeString(VALUE_NAME, name));
            field(v, VALUE_TYPE, message(t -> field(t, TYPE_TENSOR, tensorType)));
        });
    }

    private static ByteString message(Consumer<CodedOutputStream> fields) {
        ByteString.Output bytes = ByteString.newOutput();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        fields.accept(out);
        write(out::flush);
        return bytes.toByteString();
    }

    private static void field(CodedOutputStream out, int number, ByteString message) {
        write(() -> out.writeBytes(number, message));
    }

    private interface Write {
        void run() throws IOException;
    }

    /** In-memory writes cannot fail; this only unwraps the checked exception of the encoder's signature. */
    private static void write(Write write) {
        try {
            write.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
