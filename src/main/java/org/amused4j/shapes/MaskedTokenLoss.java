package org.amused4j.shapes;

import org.amused4j.image.PipelineImages;
import org.amused4j.pipeline.AmusedModel;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextOutput;
import org.amused4j.uvit.Trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * How well a shapes model's transformer predicts the masked tokens of true scenes, with the rest of the grid given
 * (teacher forcing, the training objective at one mask share): each scene is VQ-encoded with its background respelt
 * as the recipe trains ({@link CanvasTokens}), a fixed share of its positions is masked at random (from the scene's
 * index), and one forward pass with its caption gives the cross-entropy over the masked positions — all of them, and
 * the "shape tokens" alone (those that differ from the empty canvas's token there, the ones that draw the shape),
 * with how often the most likely code is the scene's.
 *
 * <p>Three sets of scenes: the first images of the recipe's training stream for the model's seed, fresh scenes of
 * the same (trained) colour/shape pairs from another seed, and scenes of the held-out pairs. A lower loss on the
 * first than on the second is what the model memorised of its own images; the second against the third is how much
 * the held-out pairs cost.
 */
public final class MaskedTokenLoss {
    /** The seed offset of the fresh and held-out scenes from the training seed. */
    static final long FRESH_SEED_OFFSET = 1_000_003;
    private static final int BATCH = 16;

    /**
     * @param scenes        which set: "training", "fresh" or "held-out"
     * @param loss          mean cross-entropy (nats) over all masked positions
     * @param shapeLoss     the same over the masked shape tokens
     * @param shapeAccuracy how often the most likely code of a masked shape token is the scene's
     */
    public record Result(String scenes, int count, double loss, double shapeLoss, double shapeAccuracy) {
    }

    private MaskedTokenLoss() {
    }

    /**
     * @param trainingSeed the seed the model's recipe ran with (its training images are that seed's stream)
     * @param count        scenes per set
     * @param maskShare    the share of each grid's positions masked, in (0, 1]
     */
    public static List<Result> measure(AmusedModel model, long trainingSeed, int count, double maskShare) {
        if (count < 1 || !(maskShare > 0 && maskShare <= 1)) {
            throw new IllegalArgumentException("need at least one scene and a mask share in (0, 1], got " + count
                    + " and " + maskShare);
        }
        long fresh = trainingSeed + FRESH_SEED_OFFSET;
        CanvasTokens canvas = new CanvasTokens(model.vq()); // one per model: its empty canvases are encoded once
        List<ShapeScene> training = new ShapesDataset(trainingSeed, ShapesDataset.Split.TRAIN).next(count);
        List<ShapeScene> freshScenes = new ShapesDataset(fresh, ShapesDataset.Split.TRAIN).next(count);
        List<ShapeScene> heldOut = new ShapesDataset(fresh, ShapesDataset.Split.HELD_OUT).next(count);
        return List.of(measure(model, canvas, "training", training, maskShare),
                measure(model, canvas, "fresh", freshScenes, maskShare),
                measure(model, canvas, "held-out", heldOut, maskShare));
    }

    private static Result measure(AmusedModel model, CanvasTokens canvas, String name, List<ShapeScene> scenes,
                                  double maskShare) {
        int maskId = model.scheduler().maskTokenId();
        Sums all = new Sums();
        Sums shape = new Sums();
        for (int from = 0; from < scenes.size(); from += BATCH) {
            List<ShapeScene> batch = scenes.subList(from, Math.min(scenes.size(), from + BATCH));
            int[][] grids = tokens(model, canvas, batch);
            int side = (int) Math.round(Math.sqrt(grids[0].length));
            int length = side * side;
            int[] input = new int[batch.size() * length];
            boolean[] masked = new boolean[input.length];
            for (int b = 0; b < batch.size(); b++) {
                System.arraycopy(grids[b], 0, input, b * length, length);
                for (int position : maskedPositions(from + b, length, maskShare)) {
                    masked[b * length + position] = true;
                    input[b * length + position] = maskId;
                }
            }
            float[] logits = logits(model, batch, input, side);
            int vocab = logits.length / input.length;
            for (int b = 0; b < batch.size(); b++) {
                int[] empty = canvas.canvas(batch.get(b).caption().background());
                for (int i = 0; i < length; i++) {
                    if (masked[b * length + i]) {
                        int truth = grids[b][i];
                        MaskedGuess p = MaskedGuess.of(logits, b * vocab * length, length, vocab, i, truth);
                        all.add(p);
                        if (truth != empty[i]) {
                            shape.add(p);
                        }
                    }
                }
            }
        }
        return new Result(name, scenes.size(), all.meanLoss(), shape.meanLoss(), shape.accuracy());
    }

    /** Each scene's token grid as the recipe trains on it. */
    private static int[][] tokens(AmusedModel model, CanvasTokens canvas, List<ShapeScene> batch) {
        int size = ShapeScene.IMAGE_SIZE;
        float[] pixels = new float[batch.size() * 3 * size * size];
        for (int b = 0; b < batch.size(); b++) {
            float[] one = PipelineImages.toTensor(batch.get(b).render()).data();
            System.arraycopy(one, 0, pixels, b * one.length, one.length);
        }
        int[] ids = model.vq().quantize(model.vq().encode(Tensor.of(pixels, batch.size(), 3, size, size)));
        int length = ids.length / batch.size();
        int[][] grids = new int[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            grids[b] = canvas.apply(batch.get(b), Arrays.copyOfRange(ids, b * length, (b + 1) * length));
        }
        return grids;
    }

    /** round(share · length) distinct positions, drawn from the scene's index. */
    static int[] maskedPositions(int sceneIndex, int length, double share) {
        int count = Math.max(1, (int) Math.round(share * length));
        int[] order = new int[length];
        Arrays.setAll(order, i -> i);
        Random random = new Random(sceneIndex);
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(length - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return Arrays.copyOf(order, count);
    }

    /** The transformer's logits [B, V, side, side] for the captions, uncropped micro-conditioning. */
    private static float[] logits(AmusedModel model, List<ShapeScene> batch, int[] input, int side) {
        List<String> captions = new ArrayList<>();
        float[] micro = new float[batch.size() * 5];
        for (int b = 0; b < batch.size(); b++) {
            captions.add(batch.get(b).caption().text());
            float[] one = {ShapeScene.IMAGE_SIZE, ShapeScene.IMAGE_SIZE, 0, 0, 6};
            System.arraycopy(one, 0, micro, b * 5, 5);
        }
        ClipTextOutput text = model.textEncoder().forward(model.tokenizer().encode(captions));
        return model.transformer().forward(input, side, side, text.penultimate(), text.textEmbeds(),
                Tensor.of(micro, batch.size(), 5), Trace.NONE).data();
    }

    /** One masked position: its cross-entropy and whether the most likely code is the true one. */
    private record MaskedGuess(double loss, boolean right) {
        static MaskedGuess of(float[] logits, int base, int length, int vocab, int position, int truth) {
            double max = Double.NEGATIVE_INFINITY;
            int best = 0;
            for (int v = 0; v < vocab; v++) {
                float x = logits[base + v * length + position];
                if (x > max) {
                    max = x;
                    best = v;
                }
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[base + v * length + position] - max);
            }
            return new MaskedGuess(max + Math.log(sum) - logits[base + truth * length + position], best == truth);
        }
    }

    private static final class Sums {
        private double loss;
        private int right;
        private int count;

        void add(MaskedGuess p) {
            loss += p.loss();
            right += p.right() ? 1 : 0;
            count++;
        }

        double meanLoss() {
            return count == 0 ? Double.NaN : loss / count;
        }

        double accuracy() {
            return count == 0 ? Double.NaN : (double) right / count;
        }
    }
}
