package org.amused4j.sampling;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.amused4j.tensor.Tensor;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Invariants of one scheduler step on random logits, masks and uniforms (float32, default temperatures). */
class AmusedSchedulerProperties {
    private static final int MASK = 99;

    /** A random step input: logits [B, V, h, w] and a sample with at least one masked token per row. */
    private record Input(Tensor logits, int[] sample, int batch, int length) {
        static Input random(long seed, int batch, int side, int vocab, float maskedFraction) {
            SeededRandomSource r = new SeededRandomSource(seed);
            int length = side * side;
            float[] logits = new float[batch * vocab * length];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (r.nextUniform() - 0.5f) * 12f;
            }
            int[] sample = new int[batch * length];
            for (int b = 0; b < batch; b++) {
                for (int l = 0; l < length; l++) {
                    boolean masked = l == 0 || r.nextUniform() < maskedFraction;
                    sample[b * length + l] = masked ? MASK : (int) (r.nextUniform() * vocab);
                }
            }
            return new Input(Tensor.of(logits, batch, vocab, side, side), sample, batch, length);
        }
    }

    @Property(tries = 300)
    void knownTokensAreNeverChangedOrRemasked(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch,
                                              @ForAll @IntRange(min = 2, max = 6) int side,
                                              @ForAll @IntRange(min = 2, max = 12) int vocab,
                                              @ForAll @IntRange(min = 2, max = 16) int steps,
                                              @ForAll @FloatRange(min = 0, max = 1) float maskedFraction,
                                              @ForAll @FloatRange(min = 0.01f, max = 1) float startingMaskRatio) {
        Input in = Input.random(seed, batch, side, vocab, maskedFraction);
        AmusedScheduler s = new AmusedScheduler(MASK, MaskSchedule.COSINE, steps, 2f, 0f);
        for (int t : s.timesteps()) {
            StepResult out = s.step(in.logits, t, in.sample, startingMaskRatio, new SeededRandomSource(seed + t));
            for (int i = 0; i < in.sample.length; i++) {
                if (in.sample[i] != MASK) {
                    assertThat(out.prevSample()[i]).as("known token %d at t=%d", i, t).isEqualTo(in.sample[i]);
                    assertThat(out.remasked()[i]).isFalse();
                } else {
                    assertThat(out.predOriginalSample()[i]).as("sampled id").isBetween(0, vocab - 1);
                }
            }
        }
    }

    @Property(tries = 300)
    void eachRowRemasksExactlyMaskLengthTokens(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch,
                                               @ForAll @IntRange(min = 2, max = 6) int side,
                                               @ForAll @IntRange(min = 2, max = 12) int vocab,
                                               @ForAll @IntRange(min = 2, max = 16) int steps,
                                               @ForAll @IntRange(min = 1, max = 15) int timestep,
                                               @ForAll @FloatRange(min = 0, max = 1) float maskedFraction,
                                               @ForAll boolean linear) {
        Assume.that(timestep < steps);
        Input in = Input.random(seed, batch, side, vocab, maskedFraction);
        MaskSchedule schedule = linear ? MaskSchedule.LINEAR : MaskSchedule.COSINE;
        AmusedScheduler s = new AmusedScheduler(MASK, schedule, steps, 2f, 0f);
        StepResult out = s.step(in.logits, timestep, in.sample, 1f, new SeededRandomSource(~seed));
        for (int b = 0; b < batch; b++) {
            int from = b * in.length;
            int to = from + in.length;
            int unknown = (int) Arrays.stream(in.sample, from, to).filter(v -> v == MASK).count();
            int maskLength = out.maskLength()[b];
            assertThat(maskLength).isEqualTo(s.maskLength(in.length, unknown, s.stepIndex(timestep), 1f));
            float[] sorted = Arrays.copyOfRange(out.confidence(), from, to);
            Arrays.sort(sorted);
            // Equal confidences at the cut-off are all kept (strict "<"), so only a tie-free row is exact.
            Assume.that(sorted[maskLength - 1] < sorted[maskLength]);
            int masked = 0;
            for (int i = from; i < to; i++) {
                masked += out.prevSample()[i] == MASK ? 1 : 0;
            }
            assertThat(masked).as("row %d", b).isEqualTo(maskLength);
        }
    }

    @Property(tries = 200)
    void theLastStepLeavesNothingMasked(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch,
                                        @ForAll @IntRange(min = 1, max = 6) int side,
                                        @ForAll @IntRange(min = 1, max = 12) int vocab,
                                        @ForAll @FloatRange(min = 0, max = 1) float maskedFraction) {
        Input in = Input.random(seed, batch, side, vocab, maskedFraction);
        AmusedScheduler s = new AmusedScheduler(MASK, MaskSchedule.COSINE, 12, 2f, 0f);
        RandomSource random = new SeededRandomSource(seed);
        StepResult out = s.step(in.logits, 0, in.sample, 1f, random);
        assertThat(out.prevSample()).doesNotContain(MASK).containsExactly(out.predOriginalSample());
        assertThat(out.maskLength()).isEmpty();
    }
}
