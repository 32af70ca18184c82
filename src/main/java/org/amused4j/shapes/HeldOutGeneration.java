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
 * The acceptance check of a shapes model: generate one image per prompt — prompt i of {@code count} spread evenly
 * over a pool of captions (the 504 held-out ones, or those of a new colour word), seed i — and read the attributes
 * back with the {@link ShapesEvaluator}. Deterministic for a model, pool, count and options.
 */
public final class HeldOutGeneration {
    private HeldOutGeneration() {
    }

    /** The held-out prompts of a run of {@code count}: evenly spaced in {@link ShapesDataset#allCaptions} order. */
    public static List<ShapeCaption> prompts(int count) {
        return spread(ShapesDataset.allCaptions(ShapesDataset.Split.HELD_OUT), count);
    }

    /**
     * Prompts naming {@code colour} as the shape's colour (a word outside the grammar, taught by fine-tuning):
     * evenly spaced over every size, shape, position and grammar background.
     */
    public static List<ShapeCaption> promptsWithShapeColour(Colour colour, int count) {
        List<ShapeCaption> all = new ArrayList<>();
        for (ShapeKind shape : ShapeKind.values()) {
            for (ShapeSize size : ShapeSize.values()) {
                for (Position position : Position.values()) {
                    for (Colour background : Colour.GRAMMAR) {
                        if (background != colour) {
                            all.add(new ShapeCaption(size, colour, shape, position, background));
                        }
                    }
                }
            }
        }
        return spread(all, count);
    }

    private static List<ShapeCaption> spread(List<ShapeCaption> all, int count) {
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
        return run(amused, prompts(count), new ShapesEvaluator(), options, sink);
    }

    /** Generates and judges one image per prompt (image i with seed i). */
    public static ShapesReport run(Amused amused, List<ShapeCaption> prompts, ShapesEvaluator evaluator,
                                   GenerationOptions options, BiConsumer<ByteImage, Judgement> sink) {
        int count = prompts.size();
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
