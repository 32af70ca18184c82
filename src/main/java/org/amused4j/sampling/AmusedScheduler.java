package org.amused4j.sampling;

import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Transpose;

import java.util.Arrays;

/**
 * diffusers' {@code AmusedScheduler} (spec 07): MaskGIT-style parallel decoding of a token grid in N steps.
 *
 * <p>Immutable: an instance fixes the mask token, the masking schedule, the number of steps and the temperatures
 * ({@code set_timesteps}). The inpainting pipeline asks for {@link #withSchedule(MaskSchedule) a linear copy}
 * instead of mutating a shared config as diffusers does. All randomness comes from the {@link RandomSource} passed to
 * each call, consumed in the order that interface documents.
 *
 * <p>All scalar math is float32 as in PyTorch (see {@link MaskSchedule}); the categorical draw accumulates its CDF in
 * double, the golden replay protocol (README §7).
 */
public final class AmusedScheduler {
    /** diffusers' default {@code temperature=(2, 0)}. */
    public static final float DEFAULT_TEMPERATURE_START = 2f;
    public static final float DEFAULT_TEMPERATURE_END = 0f;
    /** The end of the temperature ramp when only its start is given (diffusers: a scalar temperature). */
    public static final float SCALAR_TEMPERATURE_END = 0.01f;

    private static final float CLAMP_MIN = 1e-20f;

    private final int maskTokenId;
    private final MaskSchedule schedule;
    private final float temperatureStart;
    private final float temperatureEnd;
    private final int[] timesteps;
    private final float[] temperatures;

    public AmusedScheduler(int maskTokenId, MaskSchedule schedule, int steps, float temperatureStart,
                           float temperatureEnd) {
        if (steps < 1) {
            throw new IllegalArgumentException("number of inference steps must be >= 1, got " + steps);
        }
        this.maskTokenId = maskTokenId;
        this.schedule = schedule;
        this.temperatureStart = temperatureStart;
        this.temperatureEnd = temperatureEnd;
        this.timesteps = new int[steps];
        for (int i = 0; i < steps; i++) {
            timesteps[i] = steps - 1 - i;
        }
        this.temperatures = linspace(temperatureStart, temperatureEnd, steps);
    }

    /** The scheduler of a model config with {@code steps} steps and the default temperatures (2, 0). */
    public static AmusedScheduler of(SchedulerConfig config, int steps) {
        return new AmusedScheduler(config.maskTokenId(), config.maskingSchedule(), steps,
                DEFAULT_TEMPERATURE_START, DEFAULT_TEMPERATURE_END);
    }

    public AmusedScheduler withSchedule(MaskSchedule newSchedule) {
        return new AmusedScheduler(maskTokenId, newSchedule, steps(), temperatureStart, temperatureEnd);
    }

    /** Temperatures {@code linspace(start, end, N)}. */
    public AmusedScheduler withTemperature(float start, float end) {
        return new AmusedScheduler(maskTokenId, schedule, steps(), start, end);
    }

    /** Temperatures {@code linspace(start, 0.01, N)}: diffusers' meaning of a single temperature number. */
    public AmusedScheduler withTemperature(float start) {
        return withTemperature(start, SCALAR_TEMPERATURE_END);
    }

    /**
     * PyTorch's float32 {@code linspace}: the first half counts up from {@code start}, the second half down from
     * {@code end}, so both ends are exact.
     */
    static float[] linspace(float start, float end, int n) {
        float[] out = new float[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (n - 1);
        int halfway = n / 2;
        for (int i = 0; i < n; i++) {
            out[i] = i < halfway ? start + step * (float) i : end - step * (float) (n - 1 - i);
        }
        return out;
    }

    public int maskTokenId() {
        return maskTokenId;
    }

    public MaskSchedule schedule() {
        return schedule;
    }

    public int steps() {
        return timesteps.length;
    }

    /** [N−1, …, 0]. */
    public int[] timesteps() {
        return timesteps.clone();
    }

    public float[] temperatures() {
        return temperatures.clone();
    }

    /** The position of timestep {@code t} in {@link #timesteps()}: N − 1 − t. */
    public int stepIndex(int timestep) {
        if (timestep < 0 || timestep >= steps()) {
            throw new IllegalArgumentException("timestep " + timestep + " is not one of this scheduler's "
                    + steps() + " timesteps");
        }
        return steps() - 1 - timestep;
    }

    /** The schedule's mask ratio after step index {@code stepIndex} (float32). */
    public float maskRatio(int stepIndex) {
        return schedule.maskRatio(stepIndex, steps());
    }

    /**
     * How many tokens a row re-masks after step index {@code stepIndex}: floor(L · startingMaskRatio · maskRatio) in
     * float32, then at most {@code unknownCount − 1} and at least 1.
     */
    public int maskLength(int length, int unknownCount, int stepIndex, float startingMaskRatio) {
        float ratio = startingMaskRatio * maskRatio(stepIndex);
        int len = (int) Math.floor((float) length * ratio);
        return Math.max(1, Math.min(unknownCount - 1, len));
    }

    /**
     * One decoding step at timestep {@code t}.
     *
     * @param logits            guided logits, [B, V, h, w] (the pipeline layout) or [B, L, V]
     * @param sample            the current tokens [B, L] row-major (L = h·w), masked ones = the mask token
     * @param startingMaskRatio 1, or for inpainting the float32 fraction of tokens the user masked
     * @param random            consumed: B·L categorical uniforms, then (unless t = 0) B·L Gumbel uniforms
     */
    public StepResult step(Tensor logits, int timestep, int[] sample, float startingMaskRatio, RandomSource random) {
        return step(logits, timestep, sample, startingMaskRatio, random, null);
    }

    /**
     * {@link #step(Tensor, int, int[], float, RandomSource)} computing the probabilities in {@code workspace} when
     * it holds exactly as many floats as the logits (else in a new array). A sampling loop that passes the same
     * workspace every step allocates nothing large per step: at amused-512 the 32 MiB of probabilities, alive
     * while a young collection may run, were promoted and grew the old generation step after step.
     */
    public StepResult step(Tensor logits, int timestep, int[] sample, float startingMaskRatio, RandomSource random,
                           float[] workspace) {
        int stepIndex = stepIndex(timestep);
        Layout layout = Layout.of(logits);
        int batch = layout.batch;
        int length = layout.length;
        int rows = batch * length;
        if (sample.length != rows) {
            throw new IllegalArgumentException("sample has " + sample.length + " tokens, logits " + logits
                    + " imply " + rows);
        }
        float[] probs = layout.tokenMajor(logits, workspace);
        Kernels.get().softmax(probs, 0, rows, layout.vocab);

        float[] categoricalU = random.next(rows);
        int[] pred = new int[rows];
        for (int r = 0; r < rows; r++) {
            int sampled = categorical(probs, r * layout.vocab, layout.vocab, categoricalU[r]);
            pred[r] = sample[r] == maskTokenId ? sampled : sample[r];
        }
        if (timestep == 0) {
            return new StepResult(pred.clone(), pred, new int[0], null, new boolean[rows]);
        }

        float temperature = temperatures[stepIndex];
        float[] gumbelU = random.next(rows);
        float[] confidence = new float[rows];
        int[] maskLength = new int[batch];
        boolean[] remasked = new boolean[rows];
        int[] prev = pred.clone();
        float[] sorted = new float[length];
        for (int b = 0; b < batch; b++) {
            int unknown = 0;
            for (int l = 0; l < length; l++) {
                int r = b * length + l;
                boolean isUnknown = sample[r] == maskTokenId;
                unknown += isUnknown ? 1 : 0;
                float selected = isUnknown ? probs[r * layout.vocab + pred[r]] : Float.MAX_VALUE;
                confidence[r] = log(Math.max(selected, CLAMP_MIN)) + temperature * gumbel(gumbelU[r]);
            }
            maskLength[b] = maskLength(length, unknown, stepIndex, startingMaskRatio);
            if (maskLength[b] >= length) {
                throw new IllegalArgumentException("cannot re-mask " + maskLength[b] + " of " + length + " tokens");
            }
            System.arraycopy(confidence, b * length, sorted, 0, length);
            Arrays.sort(sorted);
            float cutoff = sorted[maskLength[b]];
            for (int l = 0; l < length; l++) {
                int r = b * length + l;
                if (confidence[r] < cutoff) {
                    remasked[r] = true;
                    prev[r] = maskTokenId;
                }
            }
        }
        return new StepResult(prev, pred, maskLength, confidence, remasked);
    }

    /**
     * img2img's noising: each token of {@code sample} ([B, h·w] row-major) independently becomes the mask token
     * when its uniform is below the schedule's mask ratio at timestep {@code t}. Draws one uniform per token.
     */
    public int[] addNoise(int[] sample, int timestep, RandomSource random) {
        float ratio = maskRatio(stepIndex(timestep));
        float[] u = random.next(sample.length);
        int[] out = sample.clone();
        for (int i = 0; i < out.length; i++) {
            if (u[i] < ratio) {
                out[i] = maskTokenId;
            }
        }
        return out;
    }

    /**
     * The smallest k with u·c_{V−1} &lt; c_k, where c is the CDF accumulated in double in index order (clamped to
     * V − 1 should rounding leave none).
     */
    static int categorical(float[] probs, int offset, int vocab, float u) {
        double total = 0;
        for (int k = 0; k < vocab; k++) {
            total += probs[offset + k];
        }
        double target = u * total;
        double cumulative = 0;
        for (int k = 0; k < vocab; k++) {
            cumulative += probs[offset + k];
            if (target < cumulative) {
                return k;
            }
        }
        return vocab - 1;
    }

    /** Gumbel(0, 1) from a uniform, with diffusers' 1e-20 clamps, in float32. */
    static float gumbel(float u) {
        return -log(Math.max(-log(Math.max(u, CLAMP_MIN)), CLAMP_MIN));
    }

    private static float log(float x) {
        return (float) Math.log(x);
    }

    /** Where B, L and V sit in the logits tensor. */
    private record Layout(int batch, int length, int vocab, boolean vocabFirst) {
        static Layout of(Tensor logits) {
            return switch (logits.rank()) {
                case 4 -> new Layout(logits.dim(0), logits.dim(2) * logits.dim(3), logits.dim(1), true);
                case 3 -> new Layout(logits.dim(0), logits.dim(1), logits.dim(2), false);
                default -> throw new IllegalArgumentException("logits must be [B, V, h, w] or [B, L, V], got "
                        + logits);
            };
        }

        /** A copy of the logits as [B·L, V], in {@code into} if it is exactly their size. */
        float[] tokenMajor(Tensor logits, float[] into) {
            float[] src = logits.data();
            float[] out = into != null && into.length == src.length ? into : new float[src.length];
            if (!vocabFirst) {
                System.arraycopy(src, 0, out, 0, src.length);
                return out;
            }
            Transpose.batched(src, out, batch, vocab, length);
            return out;
        }
    }
}
