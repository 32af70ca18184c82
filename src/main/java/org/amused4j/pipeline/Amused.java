package org.amused4j.pipeline;

import org.amused4j.image.DecodedImage;
import org.amused4j.image.PipelineImages;
import org.amused4j.kernels.WeightPanels;
import org.amused4j.sampling.AmusedScheduler;
import org.amused4j.sampling.MaskSchedule;
import org.amused4j.sampling.RandomSource;
import org.amused4j.sampling.SeededRandomSource;
import org.amused4j.sampling.StepResult;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.uvit.Conditioning;
import org.amused4j.uvit.Trace;
import org.amused4j.uvit.UVit2DConfig;

import java.util.Arrays;

/**
 * The aMUSEd pipelines — text-to-image, image-to-image and inpainting — exactly as diffusers'
 * AmusedPipeline, AmusedImg2ImgPipeline and AmusedInpaintPipeline (spec 08), with all randomness taken from a
 * {@link RandomSource} in the order of the golden replay protocol. Thread-confined: one request at a time per
 * instance is the simple rule; the models themselves hold no per-request state.
 */
public final class Amused {
    private final AmusedModel model;

    public Amused(AmusedModel model) {
        this.model = model;
    }

    public AmusedModel model() {
        return model;
    }

    public Generation textToImage(Requests.TextToImage request, StepListener listener) {
        return textToImage(request, new SeededRandomSource(request.options().seed()), listener);
    }

    public Generation textToImage(Requests.TextToImage request, RandomSource random, StepListener listener) {
        UVit2DConfig tc = model.transformer().config();
        int factor = model.vqFactor();
        int width = request.width() == 0 ? tc.sampleSize() * factor : request.width();
        int height = request.height() == 0 ? tc.sampleSize() * factor : request.height();
        Grid grid = grid(width, height);
        GenerationOptions options = request.options();
        int batch = request.prompts().size() * options.imagesPerPrompt();
        int[] tokens = new int[batch * grid.tokens()];
        Arrays.fill(tokens, model.scheduler().maskTokenId());
        AmusedScheduler scheduler = scheduler(options, model.scheduler().maskingSchedule());
        return sample(request.prompts(), options, grid, tokens, scheduler, 0, 1f, random, listener);
    }

    public Generation imageToImage(Requests.ImageToImage request, StepListener listener) {
        return imageToImage(request, new SeededRandomSource(request.options().seed()), listener);
    }

    public Generation imageToImage(Requests.ImageToImage request, RandomSource random, StepListener listener) {
        GenerationOptions options = request.options();
        EncodedImage input = encode(request.image(), request.prompts().size());
        Grid grid = input.grid();
        int[] encoded = input.tokens();
        AmusedScheduler scheduler = scheduler(options, model.scheduler().maskingSchedule());
        int start = firstStep(options.steps(), request.strength());
        // diffusers noises at timesteps[start - 1]; Python's index -1 (strength 1) is the last timestep, 0,
        // whose mask ratio masks nothing.
        int noiseTimestep = scheduler.timesteps()[Math.floorMod(start - 1, options.steps())];
        int[] noised = scheduler.addNoise(encoded, noiseTimestep, random);
        int[] tokens = TextConditioning.tile(noised, options.imagesPerPrompt());
        return sample(request.prompts(), options, grid, tokens, scheduler, start, 1f, random, listener);
    }

    public Generation inpaint(Requests.Inpaint request, StepListener listener) {
        return inpaint(request, new SeededRandomSource(request.options().seed()), listener);
    }

    public Generation inpaint(Requests.Inpaint request, RandomSource random, StepListener listener) {
        GenerationOptions options = request.options();
        EncodedImage input = encode(request.image(), request.prompts().size());
        Grid grid = input.grid();
        int[] tokens = input.tokens();
        boolean[] mask = PipelineImages.tokenMask(request.mask(), grid.width(), grid.height());
        int maskId = model.scheduler().maskTokenId();
        int masked = 0;
        for (int i = 0; i < tokens.length; i++) {
            if (mask[i % mask.length]) {
                tokens[i] = maskId;
                masked++;
            }
        }
        if (masked == 0) {
            throw new AmusedException("the mask selects no token to repaint (white = repaint; the mask is reduced to the "
                    + grid.width() + "x" + grid.height() + " token grid and thresholded at 50%)");
        }
        // The inpaint pipeline passes masked/total to every step and uses the linear schedule (spec 08 §7); here
        // with a scheduler of its own instead of mutating a shared one.
        float startingMaskRatio = (float) masked / (float) tokens.length;
        AmusedScheduler scheduler = scheduler(options, MaskSchedule.LINEAR);
        int start = firstStep(options.steps(), request.strength());
        int[] tiled = TextConditioning.tile(tokens, options.imagesPerPrompt());
        return sample(request.prompts(), options, grid, tiled, scheduler, start, startingMaskRatio, random, listener);
    }

    /** start = N − int(N · strength), the first executed step index (spec 08 §6). */
    static int firstStep(int steps, float strength) {
        return steps - (int) (steps * (double) strength);
    }

    /** An input image's token grid and its VQ tokens, repeated for every prompt. */
    private record EncodedImage(Grid grid, int[] tokens) {
    }

    private EncodedImage encode(DecodedImage picture, int prompts) {
        Tensor image = PipelineImages.inputTensor(picture, model.vqFactor());
        Grid grid = grid(image.dim(3), image.dim(2));
        int[] ids = model.vq().quantize(model.vq().encode(image));
        model.mapped().releaseVq(); // the encoder's pages; the decoder's come back at the decode
        return new EncodedImage(grid, TextConditioning.tile(ids, prompts));
    }

    private AmusedScheduler scheduler(GenerationOptions options, MaskSchedule schedule) {
        return AmusedScheduler.of(model.scheduler(), options.steps())
                .withSchedule(schedule)
                .withTemperature(options.temperatureStart(), options.temperatureEnd());
    }

    private Grid grid(int width, int height) {
        int factor = model.vqFactor();
        if (width % factor != 0 || height % factor != 0 || width <= 0 || height <= 0) {
            throw new AmusedException("image size " + width + "x" + height + " is not a positive multiple of the VQ "
                    + "factor " + factor);
        }
        Grid grid = new Grid(height / factor, width / factor, factor);
        if (model.transformer().config().downsample() && (grid.height() % 2 != 0 || grid.width() % 2 != 0)) {
            throw new AmusedException("image size " + width + "x" + height + " must be a multiple of " + 2 * factor
                    + " for this model (its transformer halves the token grid)");
        }
        return grid;
    }

    /** The denoising loop shared by the three pipelines (spec 08 §3), then the VQ decode (§4). */
    private Generation sample(Prompts prompts, GenerationOptions options, Grid grid, int[] tokens,
                              AmusedScheduler scheduler, int start, float startingMaskRatio, RandomSource random,
                              StepListener listener) {
        int batch = tokens.length / grid.tokens();
        boolean guided = options.guided();
        TextConditioning text = TextConditioning.encode(model.tokenizer(), model.textEncoder(), prompts,
                options.imagesPerPrompt(), guided);
        model.mapped().releaseTextEncoder();
        int rows = text.hiddenStates().dim(0);
        Tensor micro = microConds(rows, grid, options);
        Conditioning conditioning = model.transformer().condition(text.hiddenStates(), text.pooled(), micro);

        int[] sampled;
        try (WeightPanels panels = WeightPanels.open()) {
            sampled = panels.call(() -> denoise(tokens, grid, conditioning, options, scheduler, start,
                    startingMaskRatio, random, listener));
        }
        model.mapped().releaseTransformer();
        Tensor decoded = model.vq().decode(sampled, batch, grid.height(), grid.width());
        model.mapped().releaseVq();
        Tensor images = decoded.copy();
        float[] d = images.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.min(1f, Math.max(0f, d[i]));
        }
        return new Generation(images, decoded, sampled, batch, grid.height(), grid.width());
    }

    /**
     * The scheduler's steps from {@code start} on {@code tokens}; returns the final tokens. Run inside a
     * {@link WeightPanels} store: the first step lays the transformer's half-precision matrices out for the rest.
     */
    private int[] denoise(int[] tokens, Grid grid, Conditioning conditioning, GenerationOptions options,
                          AmusedScheduler scheduler, int start, float startingMaskRatio, RandomSource random,
                          StepListener listener) {
        int batch = tokens.length / grid.tokens();
        int[] timesteps = scheduler.timesteps();
        int maskId = scheduler.maskTokenId();
        // The guided logits and the scheduler's probabilities (32 MiB each at amused-512) go into the same two arrays
        // every step: allocated afresh, a young collection during the scheduler step promoted them, and the old
        // generation grew ~128 MiB a step (generate peaked at 3.05 instead of 2.2 GiB in 4 of 7 runs).
        float[][] workspace = new float[2][0];
        for (int i = start; i < timesteps.length; i++) {
            Tensor guidedLogits = guidedLogits(tokens, grid, conditioning, options, workspace);
            if (workspace[1].length != guidedLogits.size()) {
                workspace[1] = new float[guidedLogits.size()];
            }
            StepResult result = scheduler.step(guidedLogits, timesteps[i], tokens, startingMaskRatio, random,
                    workspace[1]);
            int[] next = result.prevSample();
            listener.onStep(new StepEvent(i - start, timesteps.length - start, timesteps[i], batch, grid.height(),
                    grid.width(), tokens, next, count(next, maskId), guidedLogits));
            tokens = next;
        }
        return tokens;
    }

    /**
     * The transformer's logits for {@code tokens}, guided into {@code workspace[0]} (replaced when its size does not
     * fit). A method of its own so that the unguided [2B, V, h, w] logits (64 MiB at amused-512) are unreachable
     * once guided, rather than held by the sampling loop's frame through the scheduler step.
     */
    private Tensor guidedLogits(int[] tokens, Grid grid, Conditioning conditioning, GenerationOptions options,
                                float[][] workspace) {
        boolean guided = options.guided();
        int[] input = guided ? TextConditioning.tile(tokens, 2) : tokens;
        Tensor logits = model.transformer().logits(input, grid.height(), grid.width(), conditioning, Trace.NONE);
        if (!guided) {
            return logits;
        }
        if (workspace[0].length != logits.size() / 2) {
            workspace[0] = new float[logits.size() / 2];
        }
        return guide(logits, options.guidanceScale(), workspace[0]);
    }

    /** [rows, 5] = [width, height, crop0, crop1, aesthetic score] for every row — width first (spec 08 §2). */
    private static Tensor microConds(int rows, Grid grid, GenerationOptions options) {
        float[] one = {grid.pixelWidth(), grid.pixelHeight(), options.cropCoord0(), options.cropCoord1(),
                options.aestheticScore()};
        float[] all = new float[rows * one.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(one, 0, all, r * one.length, one.length);
        }
        return Tensor.of(all, rows, one.length);
    }

    /** uncond + g·(cond − uncond) in float32 over the [negatives; prompts] halves of the batch, into {@code out}. */
    private static Tensor guide(Tensor logits, float scale, float[] out) {
        int[] shape = logits.shape();
        shape[0] /= 2;
        int half = logits.size() / 2;
        float[] src = logits.data();
        for (int i = 0; i < half; i++) {
            float u = src[i];
            out[i] = u + scale * (src[half + i] - u);
        }
        return Tensor.of(out, shape);
    }

    private static int count(int[] tokens, int value) {
        int n = 0;
        for (int t : tokens) {
            if (t == value) {
                n++;
            }
        }
        return n;
    }

    /** A token grid and the pixel size it decodes to. */
    private record Grid(int height, int width, int factor) {
        int tokens() {
            return height * width;
        }

        int pixelHeight() {
            return height * factor;
        }

        int pixelWidth() {
            return width * factor;
        }
    }
}
