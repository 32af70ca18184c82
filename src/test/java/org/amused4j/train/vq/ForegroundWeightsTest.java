package org.amused4j.train.vq;

import org.amused4j.image.PipelineImages;
import org.amused4j.shapes.ShapeCaption;
import org.amused4j.shapes.ShapeScene;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ForegroundWeightsTest {
    @Test
    void shapePixelsWeighMoreAndEachImageAveragesOne() {
        ShapeScene scene = new ShapeScene(ShapeCaption.parse("a large blue square at center on a yellow background"),
                0, 0);
        Tensor batch = PipelineImages.toTensor(scene.render());
        float[] w = VqTrainer.foregroundWeights(batch, 4);
        int side = ShapeScene.IMAGE_SIZE;
        double mean = 0;
        for (float v : w) {
            mean += v / w.length;
        }
        assertThat(mean).isCloseTo(1, within(1e-5));
        float background = w[0];
        float shape = w[32 * side + 32];
        assertThat(shape / background).isCloseTo(4f, within(1e-5f));
        long shapePixels = 0;
        for (float v : w) {
            shapePixels += v > background ? 1 : 0;
        }
        assertThat(shapePixels).isEqualTo(22 * 22);
    }

    @Test
    void weightOneIsPlainMse() {
        Tensor batch = PipelineImages.toTensor(new ShapeScene(
                ShapeCaption.parse("a small red cross at top left on a black background"), 0, 0).render());
        assertThat(VqTrainer.foregroundWeights(batch, 1)).containsOnly(1f);
    }
}
