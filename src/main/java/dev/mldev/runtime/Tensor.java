package dev.mldev.runtime;

/** A model output copied out of ONNX Runtime: name, shape and values in row-major order. */
public record Tensor(String name, long[] shape, float[] data) {

    /** Elements per item of the batch (the product of all but the first dimension). */
    public int itemSize() {
        long size = 1;
        for (int i = 1; i < shape.length; i++) {
            size *= shape[i];
        }
        return (int) size;
    }
}
