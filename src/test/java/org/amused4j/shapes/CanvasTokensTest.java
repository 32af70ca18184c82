package org.amused4j.shapes;

import org.amused4j.image.ByteImage;
import org.amused4j.image.PipelineImages;
import org.amused4j.io.RandomWeights;
import org.amused4j.tensor.Tensor;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CanvasTokensTest {
    /** Downsampling 4: 64×64 images → 16×16 tokens, as in the recipe. */
    private static final VqConfig SMALL = new VqConfig(3, 3, List.of(8, 8, 8), 0, 4, 32, 4, 4, false);
    private static final int SIDE = 16;
    private static final int KEPT = -1;

    private final VqModel vq = new VqModel(SMALL, new RandomWeights(5));

    @Test
    void replacesExactlyTheTokensThatSeeNoShapePixelWithinTheMargin() {
        // A small square at the top left, no jitter: pixels 7..18 in x and y. Token c covers pixels 4c..4c+3 and
        // looks 4 px further each way, so tokens 0..5 (window up to pixel 23, from pixel 20 for token 6) see it.
        ShapeScene scene = new ShapeScene(new ShapeCaption(ShapeSize.SMALL, Colour.RED, ShapeKind.SQUARE,
                Position.TOP_LEFT, Colour.BLUE), 0, 0);
        int[] encoded = new int[SIDE * SIDE];
        Arrays.fill(encoded, KEPT);

        CanvasTokens canvasTokens = new CanvasTokens(vq);
        int[] out = canvasTokens.apply(scene, encoded);

        int[] canvas = canvasTokens.canvas(Colour.BLUE);
        for (int row = 0; row < SIDE; row++) {
            for (int column = 0; column < SIDE; column++) {
                int i = row * SIDE + column;
                boolean seesShape = row <= 5 && column <= 5;
                assertThat(out[i]).as("token (%d, %d)", column, row).isEqualTo(seesShape ? KEPT : canvas[i]);
            }
        }
        assertThat(encoded).as("the input grid is left alone").containsOnly(KEPT);
    }

    @Test
    void theCanvasIsTheVqEncodingOfAnEmptyImageOfTheBackground() {
        ShapeScene scene = new ShapeScene(new ShapeCaption(ShapeSize.SMALL, Colour.GREEN, ShapeKind.CROSS,
                Position.BOTTOM_RIGHT, Colour.WHITE), 0, 0);
        int[] encoded = vq.quantize(vq.encode(image(scene)));
        int[] out = new CanvasTokens(vq).apply(scene, encoded);

        // The top-left corner is far from the shape: it carries the tokens of a plain white image.
        ByteImage white = ByteImage.blank(ShapeScene.IMAGE_SIZE, ShapeScene.IMAGE_SIZE, 3);
        Arrays.fill(white.pixels(), (byte) 245);
        int[] plain = vq.quantize(vq.encode(Tensor.of(PipelineImages.toTensor(white).data(), 1, 3,
                ShapeScene.IMAGE_SIZE, ShapeScene.IMAGE_SIZE)));
        assertThat(out[0]).isEqualTo(plain[0]);
        assertThat(out[SIDE + 1]).isEqualTo(plain[SIDE + 1]);
        // The bottom-right token under the shape is the encoder's own.
        int underShape = (51 / 4) * SIDE + 51 / 4;
        assertThat(out[underShape]).isEqualTo(encoded[underShape]);
    }

    private static Tensor image(ShapeScene scene) {
        return Tensor.of(PipelineImages.toTensor(scene.render()).data(), 1, 3, ShapeScene.IMAGE_SIZE,
                ShapeScene.IMAGE_SIZE);
    }
}
