package org.amused4j.shapes;

import org.amused4j.image.ByteImage;
import org.amused4j.image.PipelineImages;
import org.amused4j.tensor.Tensor;
import org.amused4j.vq.VqModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * What a shapes model's VQ lets through: each caption's scene is drawn, turned into tokens (encoder, nearest
 * codes) and back into pixels, and judged like a generated image. The transformer can only pick tokens, so a shape
 * the VQ spells badly from the true image is one it will rarely draw well: the accuracy is a practical ceiling of
 * the generated one, not a strict bound (other token combinations than the encoder's may decode better: the sixth
 * recipe run's model drew 8 of 63 small crosses right where its VQ round trip kept 2). Deterministic: scene i is
 * jittered by a {@link Random} seeded with i.
 */
public final class VqRoundTrip {
    private VqRoundTrip() {
    }

    /** The scene of prompt {@code index}: the caption's shape moved by a jitter drawn from seed {@code index}. */
    public static ShapeScene scene(ShapeCaption caption, int index) {
        return ShapeScene.jittered(caption, new Random(index));
    }

    /**
     * Draws, reconstructs and judges one scene per caption.
     *
     * @param sink receives every reconstruction with its judgement as it is made (e.g. to save it), may be null
     */
    public static ShapesReport run(VqModel vq, List<ShapeCaption> captions, ShapesEvaluator evaluator,
                                   BiConsumer<ByteImage, Judgement> sink) {
        List<Judgement> judgements = new ArrayList<>(captions.size());
        for (int i = 0; i < captions.size(); i++) {
            ShapeCaption caption = captions.get(i);
            ByteImage image = reconstruct(vq, scene(caption, i).render());
            Judgement j = new Judgement(String.format("%04d.png", i), caption, evaluator.predict(image));
            judgements.add(j);
            if (sink != null) {
                sink.accept(image, j);
            }
        }
        return new ShapesReport(judgements);
    }

    /** An RGB image through the VQ: encode, quantize to codebook ids, decode, clamp to bytes. */
    public static ByteImage reconstruct(VqModel vq, ByteImage image) {
        Tensor latents = vq.encode(PipelineImages.toTensor(image));
        int[] ids = vq.quantize(latents);
        return PipelineImages.toByteImage(vq.decode(ids, 1, latents.dim(2), latents.dim(3)), 0);
    }
}
