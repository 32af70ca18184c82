package org.amused4j.shapes;

import org.amused4j.image.ByteImage;
import org.amused4j.shapes.ShapesDataset.ColouredShape;
import org.amused4j.shapes.ShapesDataset.Split;
import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShapesDatasetTest {
    @Test
    void captionsFollowTheGrammarWordForWord() {
        ShapeCaption c = new ShapeCaption(ShapeSize.LARGE, Colour.ORANGE, ShapeKind.CROSS, Position.TOP_CENTER,
                Colour.WHITE);
        assertThat(c.text()).isEqualTo("a large orange cross at top center on a white background");
        assertThat(new ShapeCaption(ShapeSize.SMALL, Colour.RED, ShapeKind.TRIANGLE, Position.CENTER, Colour.BLACK)
                .text()).isEqualTo("a small red triangle at center on a black background");
    }

    @Test
    void everyCaptionParsesBackToItself() {
        List<ShapeCaption> all = ShapesDataset.allCaptions(Split.ALL);
        assertThat(all).hasSize(8 * 4 * 2 * 9 * 7).doesNotHaveDuplicates();
        for (ShapeCaption c : all) {
            assertThat(ShapeCaption.parse(c.text())).isEqualTo(c);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a small red circle at center on a red background", // invisible
            "a tiny red circle at center on a blue background", "a small red circle at centre on a blue background",
            "A small red circle at center on a blue background", "a small red circle at center on a blue background.",
            "a small red  circle at center on a blue background", "a small red circle at left top on a blue background"})
    void parsingRejectsAnythingElse(String text) {
        assertThatThrownBy(() -> ShapeCaption.parse(text)).isInstanceOf(AmusedException.class).hasMessageContaining(text);
    }

    @Test
    void trainingDataNeverShowsAHeldOutPairButEveryOtherPair() {
        Set<ColouredShape> seen = new HashSet<>();
        ShapesDataset train = new ShapesDataset(7, Split.TRAIN);
        for (ShapeScene s : train.next(5000)) {
            seen.add(new ColouredShape(s.caption().colour(), s.caption().shape()));
            assertThat(s.caption().heldOut()).isFalse();
        }
        assertThat(seen).hasSize(32 - 4).doesNotContainAnyElementsOf(ShapesDataset.HELD_OUT_PAIRS);
        assertThat(ShapesDataset.allCaptions(Split.TRAIN)).noneMatch(ShapeCaption::heldOut).hasSize(28 * 2 * 9 * 7);
    }

    @Test
    void heldOutSplitShowsOnlyHeldOutPairsInEveryVariation() {
        List<ShapeScene> scenes = new ShapesDataset(3, Split.HELD_OUT).next(2000);
        assertThat(scenes).allMatch(s -> s.caption().heldOut());
        assertThat(scenes.stream().map(s -> new ColouredShape(s.caption().colour(), s.caption().shape()))
                .distinct()).containsExactlyInAnyOrderElementsOf(ShapesDataset.HELD_OUT_PAIRS);
        assertThat(scenes.stream().map(s -> s.caption().position()).distinct()).hasSize(9);
        assertThat(scenes.stream().map(s -> s.caption().background()).distinct()).hasSize(8);
        assertThat(scenes.stream().map(s -> s.jitterX()).distinct()).containsExactlyInAnyOrder(-2, -1, 0, 1, 2);
        assertThat(ShapesDataset.allCaptions(Split.HELD_OUT)).hasSize(4 * 2 * 9 * 7).allMatch(ShapeCaption::heldOut);
    }

    @Test
    void aSeedGivesTheSameStreamWhateverTheCount() {
        List<ShapeScene> a = new ShapesDataset(42, Split.TRAIN).next(300);
        List<ShapeScene> b = new ShapesDataset(42, Split.TRAIN).next(100);
        assertThat(a.subList(0, 100)).isEqualTo(b);
        assertThat(new ShapesDataset(43, Split.TRAIN).next(100)).isNotEqualTo(b);
    }

    @Test
    void everyImageIsBackgroundPlusTheExactShapeInsideTheFrame() {
        for (ShapeCaption c : ShapesDataset.allCaptions(Split.ALL)) {
            for (int jitter : new int[] {-2, 2}) {
                ShapeScene scene = new ShapeScene(c, jitter, -jitter);
                ByteImage image = scene.render();
                int side = c.size().side();
                int area = 0;
                int shapeInBox = 0;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        Colour at = Colour.nearest(Colour.GRAMMAR, image.get(x, y, 0), image.get(x, y, 1), image.get(x, y, 2));
                        assertThat(at.distance2(image.get(x, y, 0), image.get(x, y, 1), image.get(x, y, 2)))
                                .isZero(); // crisp: exact palette values only
                        assertThat(at).isIn(c.colour(), c.background());
                        if (at == c.colour()) {
                            area++;
                            int column = x - (scene.centreX() - side / 2);
                            int row = y - (scene.centreY() - side / 2);
                            if (column >= 0 && column < side && row >= 0 && row < side
                                    && c.shape().covers(side, column, row)) {
                                shapeInBox++;
                            }
                        }
                    }
                }
                // Every covered pixel of the box landed in the image, and nothing else is painted.
                assertThat(area).isEqualTo(shapeInBox).isEqualTo(coveredPixels(c.shape(), side));
            }
        }
    }

    private static int coveredPixels(ShapeKind shape, int side) {
        int n = 0;
        for (int row = 0; row < side; row++) {
            for (int column = 0; column < side; column++) {
                n += shape.covers(side, column, row) ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void geometryFillsTheBoxAndIsMirrorSymmetric() {
        for (ShapeSize size : ShapeSize.values()) {
            int s = size.side();
            for (ShapeKind shape : ShapeKind.values()) {
                int widthRow = shape == ShapeKind.TRIANGLE ? s - 1 : s / 2; // the triangle is widest at its base
                assertThat(coveredRow(shape, s, widthRow)).as("%s %s spans the box width", shape, size).isEqualTo(s);
                for (int row = 0; row < s; row++) {
                    assertThat(shape.covers(s, s / 2, row)).as("%s %s spans the box height", shape, size).isTrue();
                }
                for (int row = 0; row < s; row++) {
                    for (int column = 0; column < s; column++) {
                        assertThat(shape.covers(s, column, row)).isEqualTo(shape.covers(s, s - 1 - column, row));
                        if (shape != ShapeKind.TRIANGLE) {
                            assertThat(shape.covers(s, column, row)).isEqualTo(shape.covers(s, column, s - 1 - row));
                        }
                    }
                }
            }
            // triangle: apex row 2 px, base row the full width
            assertThat(coveredRow(ShapeKind.TRIANGLE, s, 0)).isEqualTo(2);
            assertThat(coveredRow(ShapeKind.TRIANGLE, s, s - 1)).isEqualTo(s);
            // cross: arms of the documented thickness
            assertThat(coveredRow(ShapeKind.CROSS, s, 0)).isEqualTo(ShapeKind.crossArmThickness(s));
        }
        assertThat(ShapeKind.crossArmThickness(12)).isEqualTo(4);
        assertThat(ShapeKind.crossArmThickness(22)).isEqualTo(8);
    }

    private static int coveredRow(ShapeKind shape, int side, int row) {
        int n = 0;
        for (int column = 0; column < side; column++) {
            n += shape.covers(side, column, row) ? 1 : 0;
        }
        return n;
    }
}
