package org.amused4j.train.loss;

import org.amused4j.kernels.Parallel;
import org.amused4j.tensor.Tensor;

import java.util.Arrays;

/**
 * The training objective (spec 09 §3, golden README §9.1): the mean cross-entropy of the transformer's
 * logits over the masked positions, with torch's optional label smoothing, and its gradient.
 *
 * <p>Logits are [B, V, h, w] (or [B, V, L]): the class axis is the channel axis, so one position's V logits
 * are L apart. With n masked positions, p = softmax(logits at a position), lse = log Σ exp(logits) and
 * label smoothing ε:
 * <pre>
 *   loss = Σ_masked [ (1 − ε)·(lse − z_label) + ε·(lse − mean_c z_c) ] / n
 *   d loss / d z = (p − (1 − ε)·onehot(label) − ε/V) / n   at masked positions, 0 elsewhere
 * </pre>
 * which is torch's {@code cross_entropy(..., ignore_index=-100, label_smoothing=ε)} with mean reduction.
 * Sums are taken in double, per position then in position order, so the result is deterministic.
 * Work is split over (image, block of positions); blocks without a masked position are skipped.
 */
public final class MaskedCrossEntropy {
    /** The label of positions that do not count (torch's default ignore_index). */
    public static final int IGNORE_INDEX = -100;
    private static final int POSITIONS_PER_TASK = 16;

    private final double labelSmoothing;

    public MaskedCrossEntropy(double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("label smoothing must lie in [0, 1], got " + labelSmoothing);
        }
        this.labelSmoothing = labelSmoothing;
    }

    /** Without label smoothing, as the fine-tuning script trains. */
    public MaskedCrossEntropy() {
        this(0);
    }

    /**
     * The loss and d loss / d logits (same shape as the logits).
     *
     * @param labels [B, L] row-major (position = y·w + x): a class in [0, V) or {@link #IGNORE_INDEX}
     */
    public Result evaluate(Tensor logits, int[] labels) {
        int batch = logits.dim(0);
        int vocab = logits.dim(1);
        int positions = logits.size() / (batch * vocab);
        if (labels.length != batch * positions) {
            throw new IllegalArgumentException(labels.length + " labels for logits " + logits);
        }
        int counted = countLabels(labels, vocab);
        if (counted == 0) {
            // torch would return 0/0 = NaN; the masking rule always masks at least one position.
            throw new IllegalArgumentException("no position has a label (all are " + IGNORE_INDEX + ")");
        }
        Tensor grad = Tensor.zeros(logits.shape());
        int blocks = (positions + POSITIONS_PER_TASK - 1) / POSITIONS_PER_TASK;
        double[] partialLoss = new double[batch * blocks];
        Parallel.forEach(batch * blocks, task -> {
            int b = task / blocks;
            int from = task % blocks * POSITIONS_PER_TASK;
            int to = Math.min(positions, from + POSITIONS_PER_TASK);
            partialLoss[task] = block(logits.data(), grad.data(), labels, b, from, to, positions, vocab, counted);
        });
        double total = 0;
        for (double part : partialLoss) {
            total += part;
        }
        return new Result((float) (total / counted), counted, grad);
    }

    /**
     * Positions [from, to) of image b: their summed loss terms, and their gradients (already divided by
     * the count n). The classes are the outer loop so that the reads of a block's positions are contiguous.
     */
    private double block(float[] z, float[] dz, int[] labels, int b, int from, int to, int positions, int vocab,
                         double n) {
        int width = to - from;
        int base = b * vocab * positions + from;
        boolean anyLabel = false;
        for (int p = 0; p < width; p++) {
            anyLabel |= labels[b * positions + from + p] != IGNORE_INDEX;
        }
        if (!anyLabel) {
            return 0;
        }
        double[] max = new double[width];
        double[] mean = new double[width];
        double[] sumExp = new double[width];
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int c = 0; c < vocab; c++) {
            for (int p = 0; p < width; p++) {
                float v = z[base + c * positions + p];
                max[p] = Math.max(max[p], v);
                mean[p] += v;
            }
        }
        for (int c = 0; c < vocab; c++) {
            for (int p = 0; p < width; p++) {
                sumExp[p] += Math.exp(z[base + c * positions + p] - max[p]);
            }
        }
        double eps = labelSmoothing;
        double loss = 0;
        for (int p = 0; p < width; p++) {
            int label = labels[b * positions + from + p];
            if (label != IGNORE_INDEX) {
                double lse = max[p] + Math.log(sumExp[p]);
                loss += (1 - eps) * (lse - z[base + label * positions + p]) + eps * (lse - mean[p] / vocab);
            }
        }
        for (int c = 0; c < vocab; c++) {
            for (int p = 0; p < width; p++) {
                int label = labels[b * positions + from + p];
                if (label != IGNORE_INDEX) {
                    int i = base + c * positions + p;
                    double prob = Math.exp(z[i] - max[p]) / sumExp[p];
                    double target = (c == label ? 1 - eps : 0) + eps / vocab;
                    dz[i] = (float) ((prob - target) / n);
                }
            }
        }
        return loss;
    }

    /** How many labels count, after checking that each is a class or {@link #IGNORE_INDEX}. */
    private static int countLabels(int[] labels, int vocab) {
        int count = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != IGNORE_INDEX && (labels[i] < 0 || labels[i] >= vocab)) {
                throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is neither a class of "
                        + vocab + " nor " + IGNORE_INDEX);
            }
            if (labels[i] != IGNORE_INDEX) {
                count++;
            }
        }
        return count;
    }

    /**
     * @param loss       the mean over the counted positions
     * @param counted    how many positions counted (had a label)
     * @param gradLogits d loss / d logits, the logits' shape
     */
    public record Result(float loss, int counted, Tensor gradLogits) {
    }
}
