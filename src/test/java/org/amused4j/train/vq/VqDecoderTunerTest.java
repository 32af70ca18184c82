package org.amused4j.train.vq;

import org.amused4j.image.ByteImage;
import org.amused4j.shapes.ShapeScene;
import org.amused4j.shapes.ShapesDataset;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VqDecoderTunerTest {
    private static final VqConfig TINY = new VqConfig(3, 3, List.of(8, 8), 1, 4, 16, 4, 4, false);
    private static final List<ByteImage> IMAGES = new ShapesDataset(3, ShapesDataset.Split.TRAIN).next(16).stream()
            .map(ShapeScene::render).map(VqTrainerTest::quarter).toList();

    @Test
    void tunesTheDecoderSideAloneAndItsLossFalls() {
        VqModel model = pretrained();
        Map<String, float[]> before = snapshot(model);
        List<VqDecoderTuner.Progress> reports = new ArrayList<>();
        List<Integer> respelt = new ArrayList<>();
        new VqDecoderTuner(new VqDecoderTuner.Settings(40, 4, 1e-2, 1, 7, 10, 2)).run(model, IMAGES.size(),
                IMAGES::get, (index, tokens) -> {
                    assertThat(tokens).hasSize(16 * 16);
                    respelt.add(index);
                    return tokens;
                }, reports::add);

        assertThat(reports).extracting(VqDecoderTuner.Progress::step).containsExactly(10, 20, 30, 40);
        assertThat(reports.getLast().lossMse()).isLessThan(0.8 * reports.getFirst().lossMse());
        assertThat(respelt).hasSize(40 * 4).allMatch(i -> i >= 0 && i < IMAGES.size());
        int changed = 0;
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            boolean same = java.util.Arrays.equals(before.get(e.getKey()), e.getValue().data());
            if (VqDecoderTuner.isDecoderSide(e.getKey())) {
                changed += same ? 0 : 1;
            } else {
                assertThat(same).as(e.getKey() + " is not the decoder's: left as it was").isTrue();
            }
        }
        assertThat(changed).isGreaterThan(4);
    }

    @Test
    void theDecoderLearnsTheRespeltTokens() {
        // Every grid respelt to one code: the tuned decoder draws that code as the images' mean, so its output
        // for the code moves towards the mean image.
        VqModel model = pretrained();
        Tensor mean = meanImage();
        double start = ReplicatedVqPassTest.mse(model.decode(new int[16 * 16], 1, 16, 16), mean);
        new VqDecoderTuner(new VqDecoderTuner.Settings(40, 4, 1e-2, 1, 7, 40, 1)).run(model, IMAGES.size(),
                IMAGES::get, (index, tokens) -> new int[tokens.length], p -> { });
        assertThat(ReplicatedVqPassTest.mse(model.decode(new int[16 * 16], 1, 16, 16), mean)).isLessThan(0.5 * start);
    }

    @Test
    void aRespeltGridMustKeepItsSize() {
        VqModel model = pretrained();
        assertThatThrownBy(() -> new VqDecoderTuner(VqDecoderTuner.Settings.defaults(1, 0)).run(model,
                IMAGES.size(), IMAGES::get, (index, tokens) -> new int[3], p -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("3 tokens");
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new VqDecoderTuner.Settings(10, 6, 1e-3, 4, 0, 10, 4))
                .isInstanceOf(AmusedException.class).hasMessageContaining("replicas");
        assertThatThrownBy(() -> new VqDecoderTuner.Settings(10, 8, 0, 4, 0, 10, 2))
                .isInstanceOf(AmusedException.class).hasMessageContaining("learning rate");
    }

    /** A VQ after a few steps of ordinary training, as the recipe hands it on. */
    private static VqModel pretrained() {
        VqTrainingConfig config = new VqTrainingConfig(TINY, 4, 10, 1e-2, 2, 0.0, VqTrainingPass.DEFAULT_BETA, 1, 10,
                0, 1, 1);
        return new VqTrainer(config).run(IMAGES.size(), IMAGES::get, p -> { }).model();
    }

    private static Map<String, float[]> snapshot(VqModel model) {
        Map<String, float[]> out = new HashMap<>();
        model.namedParameters().forEach((name, t) -> out.put(name, t.data().clone()));
        return out;
    }

    private static Tensor meanImage() {
        Tensor sum = Tensor.zeros(1, 3, 32, 32);
        for (ByteImage image : IMAGES) {
            float[] x = org.amused4j.image.PipelineImages.toTensor(image).data();
            for (int i = 0; i < x.length; i++) {
                sum.data()[i] += x[i] / IMAGES.size();
            }
        }
        return sum;
    }
}
