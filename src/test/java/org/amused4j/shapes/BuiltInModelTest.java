package org.amused4j.shapes;

import org.amused4j.image.ByteImage;
import org.amused4j.image.DecodedImage;
import org.amused4j.image.PipelineImages;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.AmusedModel;
import org.amused4j.pipeline.EmbeddedModel;
import org.amused4j.pipeline.Generation;
import org.amused4j.pipeline.Prompts;
import org.amused4j.pipeline.Requests;
import org.amused4j.pipeline.StepListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped model (issue 7): the CI-sized held-out evaluation (as a regression guard) and the inpainting
 * demonstration. The model is part of the build (models/amused-shapes), so these always run.
 */
class BuiltInModelTest {
    /**
     * Regression bars of the 20-prompt held-out run, with room for other machines' rounding to change the samples:
     * the shipped model scores 70 % all-attributes on these 20 here (shape 70 %, the rest 100 %), 70 % over all 504
     * held-out captions, which is the rate to expect on 20 (≥ 10 of 20 right then has a chance of about 98 %). They
     * are not issue 7's acceptance bars (90 % all-attributes, 95 % each, on 200 prompts), which this model does not
     * reach: see BENCHMARKS.md.
     */
    private static final double ALL_ATTRIBUTES_BAR = 0.5;
    private static final double COLOUR_BAR = 0.9;
    private static final double LAYOUT_BAR = 0.9;

    private static Amused amused;
    private static AmusedModel model;

    @BeforeAll
    static void load() {
        Path folder = EmbeddedModel.locate().orElseThrow(() -> new AssertionError(
                "the build carries no built-in model (models/" + EmbeddedModel.NAME + ")"));
        model = AmusedModel.load(folder, null);
        amused = new Amused(model);
    }

    @Test
    void heldOutPromptsKeepTheirMeasuredAccuracy() {
        ShapesReport report = HeldOutGeneration.run(amused, 20, model.defaultOptions(), null);
        List<Judgement> all = report.judgements();
        assertThat(ShapesReport.allCorrect(all)).as(report.text()).isGreaterThanOrEqualTo(ALL_ATTRIBUTES_BAR);
        assertThat(ShapesReport.accuracy(all, Attribute.COLOUR)).as(report.text()).isGreaterThanOrEqualTo(COLOUR_BAR);
        for (Attribute a : new Attribute[] {Attribute.SIZE, Attribute.POSITION, Attribute.BACKGROUND}) {
            assertThat(ShapesReport.accuracy(all, a)).as(a.key() + "\n" + report.text())
                    .isGreaterThanOrEqualTo(LAYOUT_BAR);
        }
    }

    /**
     * Generate a scene, repaint the bottom-right corner with a new prompt, and check that the new shape is there
     * (judged on the repainted region alone), that every token outside the mask is kept, and that the old shape
     * still reads right. The decoder sees every token, so pixels near the mask may move a little; the tokens do not.
     */
    @Test
    void inpaintingAddsTheNewShapeAndKeepsTheRest() {
        ShapeCaption first = ShapeCaption.parse("a large red circle at top left on a white background");
        Generation base = amused.textToImage(new Requests.TextToImage(Prompts.of(first.text()), 0, 0,
                model.defaultOptions().withSeed(1)), StepListener.NONE);
        ByteImage before = PipelineImages.toByteImage(base.images(), 0);
        ShapesEvaluator evaluator = new ShapesEvaluator();
        assertThat(new Judgement("before", first, evaluator.predict(before)).allCorrect()).as("the generated scene").isTrue();

        int size = ShapeScene.IMAGE_SIZE;
        int from = 40; // tokens 10..15 of 16 both ways: the bottom-right position's cell and a margin
        ByteImage mask = ByteImage.blank(size, size, 1);
        for (int y = from; y < size; y++) {
            for (int x = from; x < size; x++) {
                mask.set(x, y, 0, 255);
            }
        }
        ShapeCaption second = ShapeCaption.parse("a small yellow square at bottom right on a white background");
        // The pipeline sees pixels: the tokens it keeps are the VQ encoding of the image it was given (which need not
        // be the tokens that image was decoded from).
        int[] given = model.vq().quantize(model.vq().encode(PipelineImages.toTensor(before)));
        int rightSize = 0;
        int seeds = 5;
        for (int seed = 0; seed < seeds; seed++) {
            Generation after = amused.inpaint(new Requests.Inpaint(Prompts.of(second.text()),
                    new DecodedImage(before, false), new DecodedImage(mask, false),
                    Requests.Inpaint.DEFAULT_STRENGTH, model.defaultOptions().withSeed(seed)), StepListener.NONE);
            ByteImage repainted = PipelineImages.toByteImage(after.images(), 0);
            int grid = after.tokenWidth();
            int cell = size / grid;
            int kept = 0;
            for (int t = 0; t < grid * grid; t++) {
                boolean masked = (t % grid) * cell >= from && (t / grid) * cell >= from;
                if (!masked) {
                    assertThat(after.tokens()[t]).as("token %d outside the mask", t).isEqualTo(given[t]);
                    kept++;
                }
            }
            assertThat(kept).isEqualTo(grid * grid - (size - from) / cell * ((size - from) / cell));
            // Shape class is what the shipped model gets right least often (the open part of issue 7: 70 % on
            // held-out prompts, BENCHMARKS.md; the VQ round trip of the kept region can also blur it), so it is not
            // asserted; colour, position and background of both shapes are, the old one's size, and the new one's
            // size for most seeds.
            Judgement corner = new Judgement("corner", second,
                    evaluator.predict(onlyRegion(repainted, from, second.background())));
            Judgement rest = new Judgement("rest", first, evaluator.predict(paintOut(repainted, from,
                    first.background())));
            for (Attribute a : new Attribute[] {Attribute.COLOUR, Attribute.POSITION, Attribute.BACKGROUND}) {
                assertThat(corner.correct(a)).as("seed %d: the new shape's %s in the repainted corner: %s", seed,
                        a.key(), corner.predicted()).isTrue();
                assertThat(rest.correct(a)).as("seed %d: the old shape's %s: %s", seed, a.key(), rest.predicted())
                        .isTrue();
            }
            assertThat(rest.correct(Attribute.SIZE)).as("seed %d: the old shape's size", seed).isTrue();
            rightSize += corner.correct(Attribute.SIZE) ? 1 : 0;
        }
        assertThat(rightSize).as("new shapes of the right size").isGreaterThanOrEqualTo(3);
    }

    /** The image with everything outside the bottom-right square from {@code from} painted in the background. */
    private static ByteImage onlyRegion(ByteImage image, int from, Colour background) {
        ByteImage out = copy(image);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                if (x < from || y < from) {
                    paint(out, x, y, background);
                }
            }
        }
        return out;
    }

    /** The image with the bottom-right square from {@code from} painted in the background. */
    private static ByteImage paintOut(ByteImage image, int from, Colour background) {
        ByteImage out = copy(image);
        for (int y = from; y < image.height(); y++) {
            for (int x = from; x < image.width(); x++) {
                paint(out, x, y, background);
            }
        }
        return out;
    }

    private static ByteImage copy(ByteImage image) {
        return new ByteImage(image.width(), image.height(), image.channels(), image.pixels().clone());
    }

    private static void paint(ByteImage image, int x, int y, Colour c) {
        image.set(x, y, 0, c.red());
        image.set(x, y, 1, c.green());
        image.set(x, y, 2, c.blue());
    }
}
