package org.amused4j.shapes;

import org.amused4j.image.ByteImage;
import org.amused4j.shapes.ShapesDataset.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

class ShapesEvaluatorTest {
    private static final ShapesEvaluator EVALUATOR = new ShapesEvaluator();

    private static Judgement judge(ShapeCaption expected, ByteImage image) {
        return new Judgement("image", expected, EVALUATOR.predict(image));
    }

    @Test
    void everyCaptionAtEveryJitterExtremeIsReadBackExactly() {
        List<Judgement> judgements = new ArrayList<>();
        for (ShapeCaption c : ShapesDataset.allCaptions(Split.ALL)) {
            for (int[] jitter : new int[][] {{-2, -2}, {-2, 2}, {2, -2}, {2, 2}, {0, 0}}) {
                judgements.add(judge(c, new ShapeScene(c, jitter[0], jitter[1]).render()));
            }
        }
        assertThat(judgements.stream().filter(j -> !j.allCorrect()).toList()).isEmpty();
    }

    /** A perturbation of a rendered image, with a seeded random source. */
    private enum Perturbation {
        NOISE((image, random) -> {
            ByteImage out = copy(image);
            for (int i = 0; i < out.pixels().length; i++) {
                out.pixels()[i] = (byte) clamp((out.pixels()[i] & 0xff) + random.nextGaussian() * 12);
            }
            return out;
        }),
        STRAY_PIXELS((image, random) -> {
            ByteImage out = copy(image);
            for (int i = 0; i < 25; i++) {
                int x = random.nextInt(64);
                int y = random.nextInt(64);
                for (int c = 0; c < 3; c++) {
                    out.set(x, y, c, random.nextInt(256));
                }
            }
            return out;
        }),
        BLUR((image, random) -> boxBlur(image)),
        /** About what the built-in model's VQ decoder does to edges: corners round, a small cross's notches fill. */
        DOUBLE_BLUR((image, random) -> boxBlur(boxBlur(image))),
        NOISY_BLUR((image, random) -> NOISE.apply(boxBlur(image), random)),
        UPSCALED_BLURRED_NOISY((image, random) -> NOISE.apply(boxBlur(upscale(image, 2)), random));

        private final BiFunction<ByteImage, Random, ByteImage> f;

        Perturbation(BiFunction<ByteImage, Random, ByteImage> f) {
            this.f = f;
        }

        ByteImage apply(ByteImage image, Random random) {
            return f.apply(image, random);
        }
    }

    @ParameterizedTest
    @EnumSource(Perturbation.class)
    void perturbedImagesAreStillReadCorrectly(Perturbation perturbation) {
        Random random = new Random(perturbation.ordinal());
        List<Judgement> judgements = new ArrayList<>();
        for (ShapeScene scene : new ShapesDataset(11, Split.ALL).next(500)) {
            judgements.add(judge(scene.caption(), perturbation.apply(scene.render(), random)));
        }
        ShapesReport report = new ShapesReport(judgements);
        assertThat(ShapesReport.allCorrect(report.judgements())).as(report.text()).isEqualTo(1.0);
    }

    @ParameterizedTest
    @EnumSource(Attribute.class)
    void anImageShowingADifferentValueFailsExactlyThatAttribute(Attribute changed) {
        Random random = new Random(changed.ordinal());
        for (ShapeScene scene : new ShapesDataset(5, Split.ALL).next(300)) {
            ShapeCaption caption = scene.caption();
            ShapeCaption shown = changeOne(caption, changed, random);
            Judgement j = judge(caption, new ShapeScene(shown, scene.jitterX(), scene.jitterY()).render());
            for (Attribute a : Attribute.values()) {
                assertThat(j.correct(a)).as("%s drawn for %s: %s", shown.text(), caption.text(), a)
                        .isEqualTo(a != changed);
            }
            assertThat(j.allCorrect()).isFalse();
        }
    }

    private static ShapeCaption changeOne(ShapeCaption c, Attribute attribute, Random random) {
        return switch (attribute) {
            case SIZE -> new ShapeCaption(otherThan(ShapeSize.values(), random, c.size()), c.colour(), c.shape(),
                    c.position(), c.background());
            case COLOUR -> new ShapeCaption(c.size(), otherThan(Colour.GRAMMAR.toArray(Colour[]::new), random, c.colour(), c.background()),
                    c.shape(), c.position(), c.background());
            case SHAPE -> new ShapeCaption(c.size(), c.colour(), otherThan(ShapeKind.values(), random, c.shape()),
                    c.position(), c.background());
            case POSITION -> new ShapeCaption(c.size(), c.colour(), c.shape(),
                    otherThan(Position.values(), random, c.position()), c.background());
            case BACKGROUND -> new ShapeCaption(c.size(), c.colour(), c.shape(), c.position(),
                    otherThan(Colour.GRAMMAR.toArray(Colour[]::new), random, c.background(), c.colour()));
        };
    }

    @SafeVarargs
    private static <T> T otherThan(T[] values, Random random, T... excluded) {
        List<T> allowed = new ArrayList<>(List.of(values));
        allowed.removeAll(List.of(excluded));
        return allowed.get(random.nextInt(allowed.size()));
    }

    @Test
    void aPlainImageHasOnlyABackground() {
        ShapeCaption c = new ShapeCaption(ShapeSize.SMALL, Colour.RED, ShapeKind.SQUARE, Position.CENTER, Colour.BLUE);
        ByteImage plain = ByteImage.blank(64, 64, 3);
        for (int i = 0; i < 64 * 64; i++) {
            plain.set(i % 64, i / 64, 0, Colour.BLUE.red());
            plain.set(i % 64, i / 64, 1, Colour.BLUE.green());
            plain.set(i % 64, i / 64, 2, Colour.BLUE.blue());
        }
        Judgement j = judge(c, plain);
        assertThat(j.correct(Attribute.BACKGROUND)).isTrue();
        for (Attribute a : List.of(Attribute.SIZE, Attribute.COLOUR, Attribute.SHAPE, Attribute.POSITION)) {
            assertThat(a.predicted(j.predicted())).isEqualTo("none");
            assertThat(j.correct(a)).isFalse();
        }
    }

    private static ByteImage copy(ByteImage image) {
        return new ByteImage(image.width(), image.height(), image.channels(), image.pixels().clone());
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** 3×3 box blur, edges clamped. */
    private static ByteImage boxBlur(ByteImage image) {
        ByteImage out = ByteImage.blank(image.width(), image.height(), 3);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int sx = Math.clamp(x + dx, 0, image.width() - 1);
                            int sy = Math.clamp(y + dy, 0, image.height() - 1);
                            sum += image.get(sx, sy, c);
                        }
                    }
                    out.set(x, y, c, clamp(sum / 9.0));
                }
            }
        }
        return out;
    }

    private static ByteImage upscale(ByteImage image, int factor) {
        ByteImage out = ByteImage.blank(image.width() * factor, image.height() * factor, 3);
        for (int y = 0; y < out.height(); y++) {
            for (int x = 0; x < out.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    out.set(x, y, c, image.get(x / factor, y / factor, c));
                }
            }
        }
        return out;
    }

    /** A blurry reconstruction once crashed the evaluator: a region without vertical extent had no skewness. */
    @Test
    void aOnePixelLineIsJudgedWithoutACrash() {
        ByteImage image = ByteImage.blank(ShapeScene.IMAGE_SIZE, ShapeScene.IMAGE_SIZE, 3);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                boolean line = y == 30 && x >= 20 && x < 30;
                Colour c = line ? Colour.RED : Colour.WHITE;
                image.set(x, y, 0, c.red());
                image.set(x, y, 1, c.green());
                image.set(x, y, 2, c.blue());
            }
        }
        Prediction p = new ShapesEvaluator().predict(image);
        assertThat(p.background()).isEqualTo(Colour.WHITE);
        assertThat(p.colour()).isEqualTo(Colour.RED);
    }
}
