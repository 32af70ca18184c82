package org.amused4j.uvit;

import org.amused4j.io.RandomWeights;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real amused-256 and amused-512 transformers built from their configs with random weights: the model
 * asks for exactly the tensors (names and shapes) of the hub files, hence the published parameter counts.
 * Each build holds ~2.4 GB of weights.
 */
class UVit2DFullSizeTest {

    @Test
    void amused256AsksForTheHubTensorListAnd603537664Parameters() {
        RandomWeights weights = new RandomWeights(1);
        new UVit2DModel(FullSizeModels.config("amused-256"), weights);

        assertThat(new TreeMap<>(FullSizeModels.describe(weights.requested())))
                .isEqualTo(new TreeMap<>(FullSizeModels.amused256Tensors()));
        assertThat(weights.parameterCount()).isEqualTo(603_537_664L);
    }

    @Test
    void amused512AsksForTheHubTensorListAnd608257792Parameters() {
        RandomWeights weights = new RandomWeights(1);
        new UVit2DModel(FullSizeModels.config("amused-512"), weights);

        Map<String, String> expected = FullSizeModels.amused512Tensors();
        assertThat(expected).hasSize(478);
        assertThat(FullSizeModels.parameterCount(expected)).as("the A3 list itself").isEqualTo(608_257_792L);
        assertThat(new TreeMap<>(FullSizeModels.describe(weights.requested()))).isEqualTo(new TreeMap<>(expected));
        assertThat(weights.parameterCount()).isEqualTo(608_257_792L);
    }

    /** One amused-256 forward at batch 1 (minutes with the scalar reference kernels). */
    @Test
    @Tag("fullsize")
    void amused256ForwardAtBatchOneGivesFiniteLogitsOverTheCodebook() {
        UVit2DConfig config = FullSizeModels.config("amused-256");
        UVit2DModel model = new UVit2DModel(config, new RandomWeights(7));
        int side = config.sampleSize();
        int[] ids = new int[side * side];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % 3 == 0 ? config.vocabSize() - 1 : (i * 37) % config.codebookSize();
        }
        Tensor text = Tensor.zeros(1, 77, config.encoderHiddenSize());
        for (int i = 0; i < text.size(); i++) {
            text.data()[i] = (float) Math.sin(i * 0.01);
        }
        Tensor pooled = Tensor.zeros(1, config.condEmbedDim());
        for (int i = 0; i < pooled.size(); i++) {
            pooled.data()[i] = (float) Math.cos(i * 0.1);
        }
        Tensor micro = Tensor.of(new float[] {256, 256, 0, 0, 6}, 1, 5);

        Tensor logits = model.forward(ids, side, side, text, pooled, micro, Trace.NONE);

        assertThat(logits.shape()).containsExactly(1, config.codebookSize(), side, side);
        for (float v : logits.data()) {
            assertThat(Float.isFinite(v)).isTrue();
        }
    }
}
