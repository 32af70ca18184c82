package org.amused4j.uvit;

import org.amused4j.golden.Golden;
import org.amused4j.io.RandomWeights;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.LoraFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Merging LoRA adapters into the base weights gives the adapted model's logits up to float rounding. */
class LoraMergeTest {
    @Test
    void mergedTransformerMatchesTheAdaptedOne() throws Exception {
        Path golden = Golden.dir();
        Path loraFile;
        try (Stream<Path> files = Files.walk(golden.resolve("lora"))) {
            loraFile = files.filter(p -> p.getFileName().toString().equals(LoraAdapters.FILE_NAME)).sorted()
                    .findFirst().orElseThrow();
        }
        UVit2DModel model = UVit2DModel.load(golden.resolve("models/tiny-amused-256/transformer"));
        UVit2DConfig c = model.config();
        RandomWeights inputs = new RandomWeights(3);
        Tensor text = inputs.get("text", 2, 77, c.encoderHiddenSize());
        Tensor pooled = inputs.get("pooled", 2, c.condEmbedDim());
        Tensor micro = Tensor.of(new float[] {32, 32, 0, 0, 6, 32, 32, 0, 0, 6}, 2, 5);
        int side = c.sampleSize();
        int[] ids = new int[2 * side * side];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % 3 == 0 ? c.vocabSize() - 1 : (i * 7) % c.codebookSize();
        }

        Tensor plain = model.forward(ids, side, side, text, pooled, micro, Trace.NONE);
        int adapted = LoraFiles.attach(model, loraFile, 1.0).count();
        Tensor withAdapters = model.forward(ids, side, side, text, pooled, micro, Trace.NONE);
        assertThat(LoraAdapters.merge(model)).isEqualTo(adapted);
        Tensor merged = model.forward(ids, side, side, text, pooled, micro, Trace.NONE);

        double changed = maxAbsDiff(plain, withAdapters);
        double mergeError = maxAbsDiff(withAdapters, merged);
        assertThat(changed).as("the adapters change the logits").isGreaterThan(1e-3);
        assertThat(mergeError).as("merged vs adapted").isLessThan(1e-4 * Math.max(1, maxAbs(withAdapters)));
        assertThat(LoraAdapters.merge(model)).as("nothing left to merge").isZero();
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        double m = 0;
        for (int i = 0; i < a.size(); i++) {
            m = Math.max(m, Math.abs(a.data()[i] - b.data()[i]));
        }
        return m;
    }

    private static double maxAbs(Tensor a) {
        double m = 0;
        for (float v : a.data()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
