package org.amused4j.train.vq;

import org.amused4j.image.ByteImage;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.AdamSettings;
import org.amused4j.train.AdamW;
import org.amused4j.train.LrSchedule;
import org.amused4j.train.Parameter;
import org.amused4j.train.ParameterGroups;
import org.amused4j.train.TransformerTrainingPass;
import org.amused4j.vq.VqModel;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A second VQ stage: the decoder (with post_quant_conv) trained further, in place, on the token grids a
 * transformer will be trained on and will therefore produce, while the encoder and the codebook stay as they are
 * (so tokens encoded before and after are the same). Two things make those grids differ from what the first stage
 * decoded: they may be respelt (the shapes recipe gives every background token its empty-canvas code), and the
 * first stage decoded the straight-through encoder outputs, which the codebook only approximates, until its codes
 * settled. On the sixth shapes model 3000 such steps (3.3 min) took the VQ round trip from 82.7 to 88.1 % of all
 * attributes and its generated images from 66.7 to 70.0 % with the transformer unchanged (BENCHMARKS.md, "The
 * built-in model").
 */
public final class VqDecoderTuner {
    /** Parameters of the decoder side: what this stage trains. */
    static boolean isDecoderSide(String name) {
        return name.startsWith("decoder.") || name.startsWith("post_quant_conv.");
    }

    /** Respells an image's encoded tokens as the transformer's training grids spell them. */
    public interface Spelling {
        /**
         * @param index  the image's index in the source
         * @param tokens its encoded token grid, row-major [h·w]
         */
        int[] respell(int index, int[] tokens);
    }

    /**
     * How to tune.
     *
     * @param steps            optimizer steps (AdamW, linear warm-up over a tenth of them, at most 100, then a
     *                         cosine to 0; no weight decay)
     * @param batchSize        images per step, drawn at random
     * @param learningRate     peak learning rate
     * @param foregroundWeight the reconstruction weight of shape pixels ({@link VqTrainingConfig#foregroundWeight})
     * @param seed             the images drawn derive from it
     * @param logEvery         steps between progress reports
     * @param replicas         data-parallel parts of each batch ({@link VqTrainingConfig#replicas})
     */
    public record Settings(int steps, int batchSize, double learningRate, double foregroundWeight, long seed,
                           int logEvery, int replicas) {
        public Settings {
            if (steps < 1 || batchSize < 1 || logEvery < 1 || replicas < 1 || batchSize % replicas != 0) {
                throw new AmusedException("decoder tuning needs positive steps, batch and log interval, and a batch"
                        + " that splits into the replicas (got " + steps + ", " + batchSize + ", " + logEvery + ", "
                        + replicas + ")");
            }
            if (!(learningRate > 0) || !(foregroundWeight >= 1)) {
                throw new AmusedException("decoder tuning needs a positive learning rate and a foreground weight"
                        + " of at least 1");
            }
        }

        /** The shapes recipe's settings: batch 8 on two replicas, learning rate 1e-3, foreground weight 4. */
        public static Settings defaults(int steps, long seed) {
            return new Settings(steps, 8, 1e-3, 4, seed, 100, 2);
        }
    }

    /** A report every {@link Settings#logEvery} steps: the mean squared error since the last one. */
    public record Progress(int step, int steps, double lossMse, double lr, double seconds) {
    }

    private final Settings settings;

    public VqDecoderTuner(Settings settings) {
        this.settings = settings;
    }

    /**
     * Tunes {@code model}'s decoder in place.
     *
     * @param count    how many images the source has
     * @param images   image {@code i} as square RGB, a multiple of the downsampling factor
     * @param spelling how the tokens the transformer sees differ from the encoder's
     */
    public void run(VqModel model, int count, IntFunction<ByteImage> images, Spelling spelling,
                    Consumer<Progress> listener) {
        if (count <= 0) {
            throw new AmusedException("no training images");
        }
        List<Parameter> parameters = TransformerTrainingPass.parameters(model, VqDecoderTuner::isDecoderSide);
        ParameterGroups groups = ParameterGroups.splitByName(parameters, 0.0);
        AdamW optimizer = new AdamW(groups, AdamSettings.DEFAULTS);
        ReplicatedVqPass pass = new ReplicatedVqPass(model, parameters, VqTrainingPass.DEFAULT_BETA,
                settings.replicas());
        LrSchedule schedule = LrSchedule.cosine(Math.min(100, settings.steps() / 10), settings.steps());
        Random random = new Random(settings.seed());
        int factor = model.config().downsampleFactor();
        int[] drawn = new int[settings.batchSize()];
        double window = 0;
        int windowSteps = 0;
        long start = System.nanoTime();
        for (int step = 1; step <= settings.steps(); step++) {
            Tensor batch = VqTrainer.batch(count, images, random, settings.batchSize(), factor, drawn);
            Tensor latents = model.encode(batch);
            int h = latents.dim(2);
            int w = latents.dim(3);
            int[] ids = respelt(model.quantize(latents), drawn, h * w, spelling);
            groups.zeroGrad();
            window += pass.runDecoder(ids, h, w, batch, settings.foregroundWeight() == 1 ? null
                    : VqTrainer.foregroundWeights(batch, settings.foregroundWeight()));
            windowSteps++;
            double lr = settings.learningRate() * schedule.factor(step - 1);
            optimizer.step(lr);
            if (step % settings.logEvery() == 0 || step == settings.steps()) {
                listener.accept(new Progress(step, settings.steps(), window / windowSteps, lr,
                        (System.nanoTime() - start) / 1e9));
                window = 0;
                windowSteps = 0;
            }
        }
    }

    private static int[] respelt(int[] ids, int[] drawn, int perImage, Spelling spelling) {
        int[] out = new int[ids.length];
        for (int b = 0; b < drawn.length; b++) {
            int[] grid = spelling.respell(drawn[b], Arrays.copyOfRange(ids, b * perImage, (b + 1) * perImage));
            if (grid.length != perImage) {
                throw new IllegalStateException("respelt grid of " + grid.length + " tokens, expected " + perImage);
            }
            System.arraycopy(grid, 0, out, b * perImage, perImage);
        }
        return out;
    }
}
