package org.amused4j.uvit;

import org.amused4j.golden.Approx;
import org.amused4j.io.RandomWeights;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour of the U-ViT on small random configs (numerical parity is UVit2DModelGoldenTest's job). */
class UVit2DModelTest {
    private static final int BATCH = 2;
    private static final int TEXT_TOKENS = 5;

    private static UVit2DConfig tiny(boolean useBias, boolean affine, boolean resample, int hidden) {
        return new UVit2DConfig(hidden, useBias, 6, 4, 20, 10, 9, 8, 12, 8, 2, resample, resample, 2, 2, 2, 12,
                1e-6, affine, 4);
    }

    private static Tensor random(SplittableRandom rnd, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return t;
    }

    private record Inputs(int[] ids, Tensor text, Tensor pooled, Tensor micro) {
        static Inputs of(UVit2DConfig c, int batch, int side, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int[] ids = rnd.ints(batch * side * side, 0, c.vocabSize()).toArray();
            Tensor micro = Tensor.zeros(batch, c.microCondCount());
            for (int i = 0; i < micro.size(); i++) {
                micro.data()[i] = rnd.nextInt(0, 512);
            }
            return new Inputs(ids, random(rnd, batch, TEXT_TOKENS, c.encoderHiddenSize()),
                    random(rnd, batch, c.condEmbedDim()), micro);
        }

        /** Image {@code b} alone. */
        Inputs row(int b, int batch) {
            int per = ids.length / batch;
            return new Inputs(Arrays.copyOfRange(ids, b * per, (b + 1) * per), slice(text, b), slice(pooled, b),
                    slice(micro, b));
        }

        private static Tensor slice(Tensor t, int b) {
            int[] shape = t.shape();
            int per = t.size() / shape[0];
            shape[0] = 1;
            return Tensor.of(Arrays.copyOfRange(t.data(), b * per, (b + 1) * per), shape);
        }
    }

    /** A model with seeded random weights, seeded inputs for {@code batch} 4×4 grids, and their conditioning. */
    private record Conditioned(UVit2DModel model, Inputs in, Conditioning cond) {
        static Conditioned of(UVit2DConfig c, long weightSeed, int batch, long inputSeed) {
            UVit2DModel model = new UVit2DModel(c, new RandomWeights(weightSeed));
            Inputs in = Inputs.of(c, batch, 4, inputSeed);
            return new Conditioned(model, in, model.condition(in.text(), in.pooled(), in.micro()));
        }

        /** The logits of the whole batch in one pass on {@code tape}. */
        Tensor logits(Tape tape) {
            return model.logits(in.ids(), 4, 4, cond, Trace.NONE, tape);
        }
    }

    @Test
    void theSplitForwardReusesOneConditioningForManyStepsWithoutChangingIt() {
        UVit2DConfig c = tiny(false, true, true, 16);
        UVit2DModel model = new UVit2DModel(c, new RandomWeights(3));
        Inputs in = Inputs.of(c, BATCH, 4, 11);

        Conditioning cond = model.condition(in.text(), in.pooled(), in.micro());
        Tensor first = model.logits(in.ids(), cond);
        float[] firstAsReturned = first.data().clone();
        Tensor second = model.logits(in.ids(), cond);
        Tensor whole = model.forward(in.ids(), 4, 4, in.text(), in.pooled(), in.micro(), Trace.NONE);

        assertThat(first.shape()).containsExactly(BATCH, c.codebookSize(), 4, 4);
        assertThat(first.data()).as("not overwritten by the next pass").isEqualTo(firstAsReturned);
        assertThat(second.data()).isNotSameAs(first.data()).isEqualTo(first.data());
        assertThat(whole.data()).isEqualTo(first.data());
        int[] otherIds = in.ids().clone();
        otherIds[0] = (otherIds[0] + 1) % c.vocabSize();
        assertThat(model.logits(otherIds, cond).data()).isNotEqualTo(first.data());
    }

    @Test
    void aPassThatRecyclesItsIntermediatesGivesTheSameLogitsAsOneThatAllocatesThemAll() {
        for (boolean resample : new boolean[] {true, false}) {
            Conditioned m = Conditioned.of(tiny(true, true, resample, 16), 5, BATCH, 13);

            Tensor allocating = m.logits(Tape.NONE);
            Tensor recycling = m.logits(Tape.recycling());

            assertThat(recycling.data()).as("resample " + resample).isEqualTo(allocating.data());
        }
    }

    /** Inference fuses each residual sum with the adaptive norm after it; training keeps them apart (its backward). */
    @Test
    void aRecordedPassGivesTheSameLogitsAsAnInferencePass() {
        for (boolean affine : new boolean[] {true, false}) {
            Conditioned m = Conditioned.of(tiny(affine, affine, true, 16), 7, BATCH, 17);

            Tensor inference = m.logits(Tape.recycling());
            Tensor recorded = m.logits(Tape.recording(new IdentityHashMap<>(), new Tape.Options(false, false)));

            assertThat(recorded.data()).as("affine " + affine).isEqualTo(inference.data());
        }
    }

    /** Without a trace a batch runs as one pass per group of images, one group per thread. */
    @Test
    void groupsOfImagesRunApartGiveTheWholeBatchsLogitsBitForBit() {
        Conditioned m = Conditioned.of(tiny(true, true, true, 16), 9, 4, 19);

        Tensor whole = m.logits(Tape.recycling());
        for (int groups : new int[] {2, 4, 2}) {
            Tensor grouped = m.model().logitsInGroups(m.in().ids(), 4, 4, m.cond(), groups);
            assertThat(grouped.shape()).containsExactly(whole.shape());
            assertThat(grouped.data()).as(groups + " groups").isEqualTo(whole.data());
        }
        assertThat(m.model().logits(m.in().ids(), m.cond()).data()).as("default split").isEqualTo(whole.data());
        assertThatThrownBy(() -> m.model().logitsInGroups(m.in().ids(), 4, 4, m.cond(), 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 equal groups");
    }

    @Test
    void eachImagesLogitsDependOnlyOnItsOwnInputs() {
        UVit2DConfig c = tiny(false, true, true, 16);
        UVit2DModel model = new UVit2DModel(c, new RandomWeights(4));
        Inputs in = Inputs.of(c, BATCH, 4, 12);

        Tensor both = model.forward(in.ids(), 4, 4, in.text(), in.pooled(), in.micro(), Trace.NONE);
        for (int b = 0; b < BATCH; b++) {
            Inputs one = in.row(b, BATCH);
            Tensor alone = model.forward(one.ids(), 4, 4, one.text(), one.pooled(), one.micro(), Trace.NONE);
            int per = alone.size();
            Approx.assertClose("image " + b, Arrays.copyOfRange(both.data(), b * per, (b + 1) * per), alone.data(),
                    1e-5);
        }
    }

    @Test
    void useBiasAddsABiasToEveryLinearAndConvAndTheLayerNorm() {
        RandomWeights weights = new RandomWeights(5);
        UVit2DConfig c = tiny(true, true, true, 16);
        new UVit2DModel(c, weights);
        Set<String> names = weights.requested().keySet();

        Set<String> biases = names.stream().filter(n -> n.endsWith(".bias")).collect(Collectors.toSet());
        Set<String> projections = names.stream().filter(n -> n.endsWith(".weight") && weights.requested().get(n).length > 1
                && !n.startsWith("embed.embeddings")).collect(Collectors.toSet());
        assertThat(projections).isNotEmpty();
        for (String weight : projections) {
            assertThat(biases).contains(weight.replaceAll("weight$", "bias"));
        }
        assertThat(biases).contains("transformer_layers.0.norm3.norm.bias")
                .doesNotContain("transformer_layers.0.norm1.norm.bias", "embed.layer_norm.bias");
        assertThat(biases).hasSize(projections.size() + c.numHiddenLayers());
    }

    @Test
    void withoutElementwiseAffineOnlyTheAttentionBlockNormsKeepAWeight() {
        RandomWeights weights = new RandomWeights(6);
        new UVit2DModel(tiny(false, false, true, 16), weights);

        Set<String> normWeights = weights.requested().keySet().stream()
                .filter(n -> weights.requested().get(n).length == 1).collect(Collectors.toSet());
        assertThat(normWeights).isNotEmpty().allMatch(n -> n.matches(".*attention_blocks\\.\\d+\\.norm[12]\\.weight"));
    }

    @Test
    void theBiasAndNoAffineVariantsRunToFiniteLogits() {
        for (UVit2DConfig c : new UVit2DConfig[] {tiny(true, false, true, 16), tiny(true, true, false, 16)}) {
            UVit2DModel model = new UVit2DModel(c, new RandomWeights(7));
            Inputs in = Inputs.of(c, BATCH, 4, 13);
            Tensor logits = model.forward(in.ids(), 4, 4, in.text(), in.pooled(), in.micro(), Trace.NONE);
            assertThat(logits.shape()).containsExactly(BATCH, c.codebookSize(), 4, 4);
            for (float v : logits.data()) {
                assertThat(Float.isFinite(v)).as(c.toString()).isTrue();
            }
        }
    }

    @Test
    void attentionBlocksUseTheTextDirectlyWhenItIsAsWideAsTheBlocks() {
        RandomWeights mapped = new RandomWeights(8);
        new UVit2DModel(tiny(false, true, false, 16), mapped);
        RandomWeights direct = new RandomWeights(8);
        new UVit2DModel(tiny(false, true, false, 8), direct);

        assertThat(mapped.requested()).containsKey("down_block.attention_blocks.0.kv_mapper.weight");
        assertThat(direct.requested().keySet()).noneMatch(n -> n.contains("kv_mapper"));
    }

    @Test
    void theTraceSeesEveryStageInForwardOrder() {
        UVit2DConfig c = tiny(false, true, true, 16);
        UVit2DModel model = new UVit2DModel(c, new RandomWeights(9));
        Inputs in = Inputs.of(c, BATCH, 4, 14);
        java.util.List<String> names = new java.util.ArrayList<>();

        model.forward(in.ids(), 4, 4, in.text(), in.pooled(), in.micro(), (name, value) -> names.add(name));

        assertThat(names).containsExactly("encoder_proj_out", "micro_cond_embeds", "cond_embed_out", "embed_out",
                "down_block_out", "project_to_hidden_out", "transformer_layer_0_out", "transformer_layer_1_out",
                "project_from_hidden_out", "up_block_out", "logits");
    }

    @Test
    void inputsOfTheWrongShapeOrOutOfVocabularyIdsAreRejected() {
        UVit2DConfig c = tiny(false, true, true, 16);
        UVit2DModel model = new UVit2DModel(c, new RandomWeights(10));
        Inputs in = Inputs.of(c, BATCH, 4, 15);

        assertThatThrownBy(() -> model.condition(in.text(), Tensor.zeros(BATCH, c.condEmbedDim() + 1), in.micro()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pooled_text_emb");
        assertThatThrownBy(() -> model.condition(in.text(), in.pooled(), Tensor.zeros(BATCH, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("micro_conds");
        Conditioning cond = model.condition(in.text(), in.pooled(), in.micro());
        int[] ids = in.ids().clone();
        ids[3] = c.vocabSize();
        assertThatThrownBy(() -> model.logits(ids, cond)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id " + c.vocabSize());
        assertThatThrownBy(() -> model.logits(new int[BATCH * 9], 3, 3, cond, Trace.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3x3");
    }
}
