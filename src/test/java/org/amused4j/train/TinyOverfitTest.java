package org.amused4j.train;

import org.amused4j.golden.Golden;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.loss.MaskedBatch;
import org.amused4j.train.loss.MaskedCrossEntropy;
import org.amused4j.train.loss.MaskingRule;
import org.amused4j.uvit.UVit2DConfig;
import org.amused4j.uvit.UVit2DModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole training loop learns: the tiny 256-like transformer, fine-tuned with AdamW on three fixed random
 * token grids, each with its own fixed text conditioning and with every token masked (t = 0, so each grid must
 * be recalled from its prompt alone), brings the loss below 10% of where it started within 200 steps.
 */
class TinyOverfitTest {
    private static final int IMAGES = 3;
    private static final int STEPS = 200;
    private static final double LR = 2e-3;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fullyMaskedLossFallsBelowATenthWithin200Steps() {
        UVit2DModel model = UVit2DModel.load(Golden.dir().resolve("models/tiny-amused-256/transformer"));
        UVit2DConfig c = model.config();
        int side = 8;
        int seqLen = side * side;
        Random random = new Random(7);
        int[] tokens = new int[IMAGES * seqLen];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(c.codebookSize());
        }
        TransformerTrainingPass.Conditioning text = new TransformerTrainingPass.Conditioning(
                gaussian(random, IMAGES, 77, c.encoderHiddenSize()), gaussian(random, IMAGES, c.condEmbedDim()),
                Tensor.of(new float[] {32, 32, 0, 0, 6, 32, 32, 0, 0, 6, 32, 32, 0, 0, 6}, IMAGES, 5));

        List<Parameter> params = TransformerTrainingPass.parameters(model, name -> true);
        ParameterGroups groups = ParameterGroups.splitByName(params, 0.01);
        AdamW adamw = new AdamW(groups, new AdamSettings(0.9, 0.999, 1e-8));
        TransformerTrainingPass pass = new TransformerTrainingPass(model, params, new MaskedCrossEntropy(), false);
        MaskingRule masking = new MaskingRule(c.vocabSize() - 1, 0f);
        MaskedBatch everything = masking.apply(tokens, IMAGES, new float[IMAGES], identityPermutations(seqLen));

        float start = 0;
        float end = 0;
        for (int step = 0; step < STEPS; step++) {
            groups.zeroGrad();
            end = pass.run(everything.inputIds(), side, side, everything.labels(), text, false).loss();
            start = step == 0 ? end : start;
            adamw.step(LR);
        }
        assertThat(end).as("loss at step %d (started at %s)", STEPS, start).isLessThan(0.1f * start);
    }

    private static int[] identityPermutations(int seqLen) {
        int[] perm = new int[IMAGES * seqLen];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i % seqLen;
        }
        return perm;
    }

    private static Tensor gaussian(Random random, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) random.nextGaussian();
        }
        return t;
    }
}
