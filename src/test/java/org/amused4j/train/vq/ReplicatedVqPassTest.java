package org.amused4j.train.vq;

import org.amused4j.image.PipelineImages;
import org.amused4j.io.RandomWeights;
import org.amused4j.shapes.ShapeScene;
import org.amused4j.shapes.ShapesDataset;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.Parameter;
import org.amused4j.train.TransformerTrainingPass;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReplicatedVqPassTest {
    private static final VqConfig SMALL = new VqConfig(3, 3, List.of(8, 8, 8), 0, 4, 32, 4, 4, false);

    @Test
    void twoReplicasGiveTheWholeBatchsLossesIdsAndGradients() {
        Tensor batch = images(4);
        float[] weights = VqTrainer.foregroundWeights(batch, 4);
        VqModel model = new VqModel(SMALL, new RandomWeights(5));
        List<Parameter> whole = TransformerTrainingPass.parameters(model, name -> true);
        VqTrainingPass.Result expected = new VqTrainingPass(model, whole, 0.25).run(batch, weights, false);
        List<Parameter> split = TransformerTrainingPass.parameters(model, name -> true);
        VqTrainingPass.Result actual = new ReplicatedVqPass(model, split, 0.25, 2).run(batch, weights);

        assertThat(actual.lossMse()).isCloseTo(expected.lossMse(), within(1e-9));
        assertThat(actual.lossCommitment()).isCloseTo(expected.lossCommitment(), within(1e-9));
        assertThat(actual.lossTotal()).isCloseTo(expected.lossTotal(), within(1e-9));
        assertThat(actual.indices()).containsExactly(expected.indices());
        assertThat(actual.latents().shape()).containsExactly(expected.latents().shape());
        assertThat(actual.latents().data()).containsExactly(expected.latents().data());
        for (int i = 0; i < whole.size(); i++) {
            assertSameGradient(whole.get(i), split.get(i));
        }
    }

    /** The replicated gradient equals the whole batch's up to float rounding (and is not all zero). */
    private static void assertSameGradient(Parameter whole, Parameter split) {
        float[] e = whole.grad();
        float[] a = split.grad();
        double scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as(whole.name()).isPositive();
        for (int k = 0; k < e.length; k++) {
            assertThat((double) a[k]).as(whole.name() + "[" + k + "]").isCloseTo(e[k], within(1e-4 * scale));
        }
    }

    @Test
    void twoReplicasGiveTheWholeBatchsDecoderGradientsAndNothingElse() {
        Tensor batch = images(4);
        float[] weights = VqTrainer.foregroundWeights(batch, 4);
        VqModel model = new VqModel(SMALL, new RandomWeights(6));
        Tensor latents = model.encode(batch);
        int[] ids = model.quantize(latents);
        int h = latents.dim(2);
        int w = latents.dim(3);
        List<Parameter> whole = TransformerTrainingPass.parameters(model, VqDecoderTuner::isDecoderSide);
        double expected = new VqTrainingPass(model, whole, 0.25).runDecoder(ids, h, w, batch, weights);
        List<Parameter> split = TransformerTrainingPass.parameters(model, VqDecoderTuner::isDecoderSide);
        double actual = new ReplicatedVqPass(model, split, 0.25, 2).runDecoder(ids, h, w, batch, weights);

        assertThat(actual).isCloseTo(expected, within(1e-9));
        assertThat(expected).isCloseTo(mse(model.decode(ids, 4, h, w), batch), within(1e-9));
        int decoderSide = 0;
        for (int i = 0; i < whole.size(); i++) {
            if (!whole.get(i).isTrainable()) {
                assertThat(split.get(i).grad()).as(whole.get(i).name()).isNull();
                continue;
            }
            decoderSide++;
            assertSameGradient(whole.get(i), split.get(i));
        }
        assertThat(decoderSide).isGreaterThan(4).isLessThan(whole.size());
    }

    /** mean((a − b)²). */
    static double mse(Tensor a, Tensor b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = (double) a.data()[i] - b.data()[i];
            sum += d * d;
        }
        return sum / a.size();
    }

    @Test
    void gradientsDoNotCarryOverBetweenSteps() {
        Tensor batch = images(4);
        VqModel model = new VqModel(SMALL, new RandomWeights(5));
        List<Parameter> params = TransformerTrainingPass.parameters(model, name -> true);
        ReplicatedVqPass pass = new ReplicatedVqPass(model, params, 0.25, 2);
        pass.run(batch, null);
        float[] first = params.getLast().grad().clone();
        params.forEach(Parameter::zeroGrad);
        pass.run(batch, null);
        assertThat(params.getLast().grad()).containsExactly(first);
    }

    @Test
    void theBatchMustSplitEvenly() {
        assertThatThrownBy(() -> new VqTrainingConfig(SMALL, 6, 1, 1e-3, 0, 0, 0.25, 0, 1, 0, 1, 4))
                .isInstanceOf(AmusedException.class).hasMessageContaining("batch of 6").hasMessageContaining("4");
    }

    private static Tensor images(int n) {
        List<ShapeScene> scenes = new ShapesDataset(11, ShapesDataset.Split.TRAIN).next(n);
        int size = ShapeScene.IMAGE_SIZE;
        float[] data = new float[n * 3 * size * size];
        for (int i = 0; i < n; i++) {
            float[] one = PipelineImages.toTensor(scenes.get(i).render()).data();
            System.arraycopy(one, 0, data, i * one.length, one.length);
        }
        return Tensor.of(data, n, 3, size, size);
    }
}
