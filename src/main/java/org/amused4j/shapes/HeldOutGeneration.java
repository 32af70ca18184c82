package org.amused4j.shapes;

import org.amused4j.image.PipelineImages;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.Generation;
import org.amused4j.pipeline.GenerationOptions;
import org.amused4j.pipeline.Prompts;
import org.amused4j.pipeline.Requests;
import org.amused4j.pipeline.StepListener;
import org.amused4j.image.ByteImage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The acceptance check of a shapes model: generate one image per held-out prompt — prompt i of {@code count}
 * spread evenly over the 504 held-out captions, seed i — and read the attributes back with the
 * {@link ShapesEvaluator}. Deterministic for a model, count and options.
 */
public final class HeldOutGeneration {
    private HeldOutGeneration() {
    }

    /** The prompts of a run of {@code count}: evenly spaced in {@link ShapesDataset#allCaptions} order. */
    public static List<ShapeCaption> prompts(int count) {
        List<ShapeCaption> all = ShapesDataset.allCaptions(ShapesDataset.Split.HELD_OUT);
        List<ShapeCaption> chosen = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            chosen.add(all.get((int) ((long) i * all.size() / count) % all.size()));
        }
        return chosen;
    }

    /**
     * Generates and judges {@code count} images.
     *
     * @param options steps, guidance, temperatures; the seed is replaced by each image's index
     * @param sink    receives every image with its judgement as it is made (e.g. to save it), may be null
     */
    public static ShapesReport run(Amused amused, int count, GenerationOptions options,
                                   BiConsumer<ByteImage, Judgement> sink) {
        ShapesEvaluator evaluator = new ShapesEvaluator();
        List<ShapeCaption> prompts = prompts(count);
        List<Judgement> judgements = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ShapeCaption caption = prompts.get(i);
            Generation g = amused.textToImage(new Requests.TextToImage(Prompts.of(caption.text()), 0, 0,
                    options.withSeed(i)), StepListener.NONE);
            ByteImage image = PipelineImages.toByteImage(g.images(), 0);
            Judgement j = new Judgement(String.format("%04d.png", i), caption, evaluator.predict(image));
            judgements.add(j);
            if (sink != null) {
                sink.accept(image, j);
            }
        }
        return new ShapesReport(judgements);
    }
}
