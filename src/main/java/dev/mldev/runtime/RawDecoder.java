package dev.mldev.runtime;

import dev.mldev.runtime.Prediction.RawOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every output tensor, sliced to this item of the batch. */
final class RawDecoder implements OutputDecoder {
    @Override
    public Prediction decode(List<Tensor> outputs, int item, int topK) {
        Map<String, RawOutput> raw = new LinkedHashMap<>();
        for (Tensor tensor : outputs) {
            int size = tensor.itemSize();
            List<Long> shape =
                    new ArrayList<>(Arrays.stream(tensor.shape()).boxed().toList());
            shape.set(0, 1L);
            raw.put(
                    tensor.name(),
                    new RawOutput(shape, Arrays.copyOfRange(tensor.data(), item * size, (item + 1) * size)));
        }
        return Prediction.of(null, null, null, null, raw);
    }
}
