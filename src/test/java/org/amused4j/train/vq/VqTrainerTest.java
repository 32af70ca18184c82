package org.amused4j.train.vq;

import org.amused4j.image.ByteImage;
import org.amused4j.image.PipelineImages;
import org.amused4j.shapes.ShapeScene;
import org.amused4j.shapes.ShapesDataset;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VqTrainerTest {
    /** Downsampling 2, 16 codes: small enough for tens of steps in a second. */
    private static final VqConfig TINY = new VqConfig(3, 3, List.of(8, 8), 1, 4, 16, 4, 4, false);
    private static final List<ByteImage> IMAGES = new ShapesDataset(3, ShapesDataset.Split.TRAIN).next(16).stream()
            .map(ShapeScene::render).map(VqTrainerTest::quarter).toList();
    private static final IntFunction<ByteImage> SOURCE = IMAGES::get;

    @Test
    void sameSeedGivesTheSameWeights() {
        Map<String, Tensor> a = train(config(3, 9, 0), p -> { }).model().namedParameters();
        Map<String, Tensor> b = train(config(3, 9, 0), p -> { }).model().namedParameters();
        Map<String, Tensor> other = train(config(3, 10, 0), p -> { }).model().namedParameters();
        a.forEach((name, t) -> assertThat(b.get(name).data()).as(name).containsExactly(t.data()));
        assertThat(other.get("decoder.conv_out.weight").data())
                .isNotEqualTo(a.get("decoder.conv_out.weight").data());
    }

    @Test
    void reconstructionLossDecreases() {
        List<VqProgress> reports = new ArrayList<>();
        train(config(30, 1, 0), reports::add);
        assertThat(reports).hasSize(6);
        assertThat(reports.getLast().lossMse()).isLessThan(0.7 * reports.getFirst().lossMse());
        assertThat(reports.getLast().step()).isEqualTo(30);
        assertThat(reports.getLast().codesUsed()).isBetween(1, 16);
        assertThat(reports.getLast().perplexity()).isBetween(1.0, 16.0);
    }

    @Test
    void deadCodesAreRevivedFromEncoderOutputs() {
        List<VqProgress> reports = new ArrayList<>();
        VqTrainer.Trained t = train(config(10, 2, 2), reports::add);
        assertThat(reports.stream().mapToInt(VqProgress::revived).sum()).isPositive();
        // A code revived in the last step sits exactly on a latent vector, so some code is in use afterwards.
        assertThat(reports.getLast().codesUsed()).isGreaterThan(1);
        assertThat(t.model().quantizer().codebook().data()).doesNotContain(Float.NaN);
    }

    @Test
    void savedFolderLoadsAndDecodesIdentically(@TempDir Path dir) throws Exception {
        VqTrainer.Trained t = train(config(2, 4, 0), p -> { });
        VqFolder.save(t.model(), t.imageSize(), dir);
        String config = Files.readString(dir.resolve("config.json"));
        assertThat(config).contains("\"_class_name\" : \"VQModel\"", "\"sample_size\" : 32",
                "\"mid_block_add_attention\" : false", "\"vq_embed_dim\" : 4");
        VqModel loaded = VqModel.load(dir);
        assertThat(loaded.config()).isEqualTo(TINY);
        Tensor x = PipelineImages.toTensor(IMAGES.getFirst());
        Tensor z = t.model().encode(x);
        int[] ids = t.model().quantize(z);
        assertThat(loaded.quantize(loaded.encode(x))).containsExactly(ids);
        assertThat(loaded.decode(ids, 1, z.dim(2), z.dim(3)).data())
                .containsExactly(t.model().decode(ids, 1, z.dim(2), z.dim(3)).data());
    }

    @Test
    void rejectsImagesOfTheWrongSize() {
        assertThatThrownBy(() -> new VqTrainer(config(1, 1, 0)).run(1, i -> ByteImage.blank(33, 33, 3), p -> { }))
                .isInstanceOf(AmusedException.class).hasMessageContaining("33x33");
    }

    private static VqTrainingConfig config(int steps, long seed, int deadAfter) {
        return new VqTrainingConfig(TINY, 4, steps, 1e-2, 2, 0.0, VqTrainingPass.DEFAULT_BETA, seed, 5, deadAfter, 1, 1);
    }

    private static VqTrainer.Trained train(VqTrainingConfig config, VqTrainingListener listener) {
        return new VqTrainer(config).run(IMAGES.size(), SOURCE, listener);
    }

    /** Every other pixel of a 64×64 shapes image: 32×32 keeps the tests fast. */
    static ByteImage quarter(ByteImage image) {
        ByteImage out = ByteImage.blank(image.width() / 2, image.height() / 2, 3);
        for (int y = 0; y < out.height(); y++) {
            for (int x = 0; x < out.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    out.set(x, y, c, image.get(2 * x, 2 * y, c));
                }
            }
        }
        return out;
    }
}
