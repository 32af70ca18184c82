package org.amused4j.train.vq;

import org.amused4j.image.ByteImage;
import org.amused4j.image.PipelineImages;
import org.amused4j.io.RandomWeights;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.AdamSettings;
import org.amused4j.train.AdamW;
import org.amused4j.train.Parameter;
import org.amused4j.train.ParameterGroups;
import org.amused4j.train.LrSchedule;
import org.amused4j.train.TransformerTrainingPass;
import org.amused4j.vq.VqModel;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * Trains aMUSEd's VQ model from scratch on an in-memory image source: AdamW on the straight-through VQ-VAE loss
 * ({@link VqTrainingPass}; the codebook learns from the codebook term), a linear warm-up + cosine learning rate,
 * and dead-code revival (a code unused for {@link VqTrainingConfig#deadAfterSteps} steps is moved onto a random
 * encoder output of the current batch, its optimizer moments cleared). Deterministic given the seed.
 */
public final class VqTrainer {
    private final VqTrainingConfig config;

    public VqTrainer(VqTrainingConfig config) {
        this.config = config;
    }

    /** A finished run: the trained model and the image size it was trained on. */
    public record Trained(VqModel model, int imageSize) {
    }

    /**
     * Trains a fresh model.
     *
     * @param count  how many images the source has; each step draws {@code batchSize} of them at random
     * @param images image {@code i} (0 ≤ i < count) as square RGB, all of the same size, a multiple of the
     *               model's downsampling factor; called again whenever an image is drawn
     */
    public Trained run(int count, IntFunction<ByteImage> images, VqTrainingListener listener) {
        if (count <= 0) {
            throw new AmusedException("no training images");
        }
        VqModel model = new VqModel(config.model(), new RandomWeights(config.seed()));
        List<Parameter> parameters = TransformerTrainingPass.parameters(model, name -> true);
        ParameterGroups groups = ParameterGroups.splitByName(parameters, config.weightDecay());
        AdamW optimizer = new AdamW(groups, AdamSettings.DEFAULTS);
        ReplicatedVqPass pass = new ReplicatedVqPass(model, parameters, config.beta(), config.replicas());
        LrSchedule schedule = LrSchedule.cosine(config.warmupSteps(), config.steps());
        Parameter codebook = parameters.stream().filter(p -> p.value() == model.quantizer().codebook().data())
                .findFirst().orElseThrow();
        CodebookUsage usage = new CodebookUsage(config.model().numVqEmbeddings());
        Random random = new Random(config.seed());
        Window window = new Window();
        long start = System.nanoTime();
        int imageSize = -1;
        for (int step = 1; step <= config.steps(); step++) {
            Tensor batch = batch(count, images, random, config.batchSize(), config.model().downsampleFactor(), null);
            imageSize = batch.dim(3);
            groups.zeroGrad();
            VqTrainingPass.Result r = pass.run(batch, config.foregroundWeight() == 1 ? null
                    : foregroundWeights(batch, config.foregroundWeight()));
            double lr = config.learningRate() * schedule.factor(step - 1);
            optimizer.step(lr);
            usage.record(r.indices(), step);
            if (config.deadAfterSteps() > 0) {
                List<Integer> dead = usage.dead(step, config.deadAfterSteps());
                if (!dead.isEmpty()) {
                    usage.revive(dead, r.latents(), codebook.value(), random, step);
                    clearMoments(optimizer.state(codebook), dead, config.model().vqEmbedDim());
                    window.revived += dead.size();
                }
            }
            window.add(r);
            if (step % config.logEvery() == 0 || step == config.steps()) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                listener.onProgress(new VqProgress(step, config.steps(), window.mse / window.steps,
                        window.commitment / window.steps, window.total / window.steps, usage.codesUsed(),
                        usage.perplexity(), window.revived, lr, elapsed, step * config.batchSize() / elapsed));
                usage.resetWindow();
                window = new Window();
            }
        }
        return new Trained(model, imageSize);
    }

    /**
     * {@code size} images drawn at random from the source as one tensor [size, 3, H, W] in [0, 1].
     *
     * @param drawn receives the drawn images' indices (null: not wanted)
     */
    static Tensor batch(int count, IntFunction<ByteImage> images, Random random, int size, int factor, int[] drawn) {
        Tensor batch = null;
        for (int j = 0; j < size; j++) {
            int index = random.nextInt(count);
            if (drawn != null) {
                drawn[j] = index;
            }
            ByteImage image = images.apply(index);
            if (image.width() != image.height() || image.width() % factor != 0) {
                throw new AmusedException("training image of " + image.width() + "x" + image.height()
                        + ": must be square, a multiple of " + factor + " pixels");
            }
            Tensor one = PipelineImages.toTensor(image.channels() == 3 ? image : rgb(image));
            if (batch == null) {
                batch = Tensor.zeros(size, 3, image.height(), image.width());
            } else if (one.size() * size != batch.size()) {
                throw new AmusedException("training images differ in size (" + image.width() + "x" + image.height()
                        + " vs " + batch.dim(3) + "x" + batch.dim(2) + ")");
            }
            System.arraycopy(one.data(), 0, batch.data(), j * one.size(), one.size());
        }
        return batch;
    }

    /**
     * Per-pixel loss weights [B, H, W]: {@code weight} where a pixel differs from its image's background (the most
     * common colour on the border, by more than 8/255 in a channel), 1 elsewhere, scaled to mean 1 per image so the
     * reconstruction term keeps its size against the quantization terms.
     */
    static float[] foregroundWeights(Tensor batch, double weight) {
        int n = batch.dim(0);
        int h = batch.dim(2);
        int w = batch.dim(3);
        int plane = h * w;
        float[] x = batch.data();
        float[] out = new float[n * plane];
        for (int b = 0; b < n; b++) {
            int base = b * 3 * plane;
            java.util.Map<Long, Integer> counts = new java.util.HashMap<>();
            for (int p = 0; p < plane; p++) {
                int px = p % w;
                int py = p / w;
                if (px == 0 || py == 0 || px == w - 1 || py == h - 1) {
                    counts.merge(colourKey(x, base, plane, p), 1, Integer::sum);
                }
            }
            long background = counts.entrySet().stream().max(java.util.Map.Entry.<Long, Integer>comparingByValue()
                    .thenComparing(java.util.Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                    .orElseThrow().getKey();
            double sum = 0;
            for (int p = 0; p < plane; p++) {
                boolean foreground = false;
                for (int c = 0; c < 3; c++) {
                    long bg = background >> (16 * (2 - c)) & 0xffff;
                    foreground |= Math.abs(Math.round(x[base + c * plane + p] * 255) - bg) > 8;
                }
                out[b * plane + p] = foreground ? (float) weight : 1f;
                sum += out[b * plane + p];
            }
            float scale = (float) (plane / sum);
            for (int p = 0; p < plane; p++) {
                out[b * plane + p] *= scale;
            }
        }
        return out;
    }

    private static long colourKey(float[] x, int base, int plane, int p) {
        long key = 0;
        for (int c = 0; c < 3; c++) {
            key = key << 16 | Math.round(x[base + c * plane + p] * 255);
        }
        return key;
    }

    /** The colour channels of an RGBA image (the alpha is dropped, as the shapes images are opaque). */
    private static ByteImage rgb(ByteImage image) {
        if (image.channels() != 4) {
            throw new AmusedException("training image with " + image.channels() + " channels: expected RGB");
        }
        ByteImage out = ByteImage.blank(image.width(), image.height(), 3);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    out.set(x, y, c, image.get(x, y, c));
                }
            }
        }
        return out;
    }

    /** A revived code starts its optimizer moments afresh. */
    private static void clearMoments(AdamW.State state, List<Integer> codes, int dim) {
        if (state == null) {
            return;
        }
        for (int k : codes) {
            Arrays.fill(state.expAvg(), k * dim, (k + 1) * dim, 0f);
            Arrays.fill(state.expAvgSq(), k * dim, (k + 1) * dim, 0f);
        }
    }

    /** Sums of the loss parts since the last report. */
    private static final class Window {
        int steps;
        int revived;
        double mse;
        double commitment;
        double total;

        void add(VqTrainingPass.Result r) {
            steps++;
            mse += r.lossMse();
            commitment += r.lossCommitment();
            total += r.lossTotal();
        }
    }
}
