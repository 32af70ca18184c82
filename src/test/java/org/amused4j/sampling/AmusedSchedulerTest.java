package org.amused4j.sampling;

import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AmusedSchedulerTest {
    private static final int MASK = 8255;

    private static AmusedScheduler scheduler(MaskSchedule schedule, int steps) {
        return AmusedScheduler.of(new SchedulerConfig(MASK, schedule), steps);
    }

    @Test
    void cosineMaskLengthsAreTheFloat32OnesOfSpecTable() {
        AmusedScheduler s = scheduler(MaskSchedule.COSINE, 12);
        int[] expected256 = {253, 247, 236, 221, 203, 181, 155, 127, 97, 66, 33};
        int[] expected1024 = {1015, 989, 946, 886, 812, 724, 623, 511, 391, 265, 133};
        for (int k = 0; k < 11; k++) {
            assertThat(s.maskLength(256, 257, k, 1f)).as("L=256, k=%d", k).isEqualTo(expected256[k]);
            assertThat(s.maskLength(1024, 1025, k, 1f)).as("L=1024, k=%d", k).isEqualTo(expected1024[k]);
        }
        assertThat(s.maskRatio(7)).isEqualTo(0.49999997f);
        assertThat(s.maskRatio(11)).as("float32 cos(pi/2)").isNegative();
    }

    @Test
    void linearMaskLengthsMatchSpec() {
        AmusedScheduler s = scheduler(MaskSchedule.LINEAR, 12);
        int[] expected = {938, 853, 768, 682, 597, 512, 426, 341, 256, 170, 85};
        for (int k = 0; k < 11; k++) {
            assertThat(s.maskLength(1024, 1025, k, 1f)).isEqualTo(expected[k]);
        }
    }

    @Test
    void maskLengthIsClampedToUnknownMinusOneAndAtLeastOne() {
        AmusedScheduler s = scheduler(MaskSchedule.COSINE, 12);
        assertThat(s.maskLength(256, 10, 0, 1f)).isEqualTo(9);
        assertThat(s.maskLength(256, 0, 0, 1f)).isEqualTo(1);
        assertThat(s.maskLength(256, 256, 10, 0.01f)).isEqualTo(1);
    }

    @Test
    void temperaturesAreTorchFloat32Linspace() {
        float[] t = scheduler(MaskSchedule.COSINE, 12).temperatures();
        assertThat(t).containsExactly(2f, 1.81818175f, 1.63636363f, 1.4545455f, 1.27272725f, 1.090909f,
                0.909090936f, 0.727272749f, 0.545454562f, 0.363636374f, 0.181818187f, 0f);
        assertThat(scheduler(MaskSchedule.COSINE, 2).temperatures()).containsExactly(2f, 0f);
        assertThat(scheduler(MaskSchedule.COSINE, 1).temperatures()).containsExactly(2f);
        float[] scalar = scheduler(MaskSchedule.COSINE, 10).withTemperature(3f).temperatures();
        assertThat(scalar[0]).isEqualTo(3f);
        assertThat(scalar[9]).isEqualTo(0.01f);
    }

    @Test
    void timestepsCountDownAndMapToStepIndices() {
        AmusedScheduler s = scheduler(MaskSchedule.COSINE, 12);
        assertThat(s.timesteps()).containsExactly(11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
        assertThat(s.stepIndex(11)).isZero();
        assertThat(s.stepIndex(0)).isEqualTo(11);
        assertThatThrownBy(() -> s.stepIndex(12)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withScheduleReturnsACopyAndLeavesTheOriginalAlone() {
        AmusedScheduler cosine = scheduler(MaskSchedule.COSINE, 12).withTemperature(3f, 1f);
        AmusedScheduler linear = cosine.withSchedule(MaskSchedule.LINEAR);
        assertThat(cosine.schedule()).isEqualTo(MaskSchedule.COSINE);
        assertThat(linear.schedule()).isEqualTo(MaskSchedule.LINEAR);
        assertThat(linear.temperatures()).containsExactly(cosine.temperatures());
    }

    @Test
    void categoricalPicksTheFirstIndexWhoseCdfExceedsTheScaledUniform() {
        float[] probs = {0.25f, 0f, 0.5f, 0.25f};
        assertThat(AmusedScheduler.categorical(probs, 0, 4, 0f)).isZero();
        assertThat(AmusedScheduler.categorical(probs, 0, 4, 0.2499f)).isZero();
        assertThat(AmusedScheduler.categorical(probs, 0, 4, 0.25f)).as("zero-probability index skipped").isEqualTo(2);
        assertThat(AmusedScheduler.categorical(probs, 0, 4, 0.75f)).isEqualTo(3);
        assertThat(AmusedScheduler.categorical(probs, 0, 4, Math.nextDown(1f))).isEqualTo(3);
    }

    @Test
    void gumbelClampsZeroAndOne() {
        assertThat(AmusedScheduler.gumbel(0f)).isEqualTo((float) -Math.log(-Math.log(1e-20f))).isFinite();
        assertThat(AmusedScheduler.gumbel(Math.nextDown(1f))).isFinite().isGreaterThan(10f);
    }

    @Test
    void addNoiseMasksTokensWhoseUniformIsBelowTheRatio() {
        AmusedScheduler s = scheduler(MaskSchedule.COSINE, 12);
        float ratio = s.maskRatio(s.stepIndex(5));
        int[] tokens = {1, 2, 3, 4};
        float[] u = {0f, Math.nextDown(ratio), ratio, 0.99f};
        assertThat(s.addNoise(tokens, 5, new ReplayRandomSource(u))).containsExactly(MASK, MASK, 3, 4);
        assertThat(s.addNoise(tokens, 0, new ReplayRandomSource(new float[4])))
                .as("t = 0: cos(pi/2) < 0 masks nothing").containsExactly(tokens);
    }

    @Test
    void stepAcceptsBothLogitLayoutsAlike() {
        int vocab = 5;
        int h = 2;
        int w = 3;
        int length = h * w;
        float[] tokenMajor = new float[length * vocab];
        for (int i = 0; i < tokenMajor.length; i++) {
            tokenMajor[i] = (float) Math.sin(i * 1.7);
        }
        float[] vocabMajor = new float[tokenMajor.length];
        for (int l = 0; l < length; l++) {
            for (int v = 0; v < vocab; v++) {
                vocabMajor[v * length + l] = tokenMajor[l * vocab + v];
            }
        }
        int[] sample = new int[length];
        Arrays.fill(sample, 7);
        AmusedScheduler s = new AmusedScheduler(7, MaskSchedule.COSINE, 4, 2f, 0f);
        StepResult a = s.step(Tensor.of(tokenMajor, 1, length, vocab), 2, sample, 1f, new SeededRandomSource(3));
        StepResult b = s.step(Tensor.of(vocabMajor, 1, vocab, h, w), 2, sample, 1f, new SeededRandomSource(3));
        assertThat(b.prevSample()).containsExactly(a.prevSample());
        assertThat(b.predOriginalSample()).containsExactly(a.predOriginalSample());
    }

    /**
     * A reused workspace changes nothing but where the probabilities go (the pipeline passes one per generation so
     * that no step allocates them: at amused-512 those promotions grew generate's peak RSS from 2.2 to 3.05 GiB).
     */
    @Test
    void stepInAWorkspaceGivesTheSameResultAndLeavesItsProbabilitiesThere() {
        int vocab = 5;
        int length = 6;
        float[] logits = new float[length * vocab];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.cos(i * 0.9);
        }
        int[] sample = new int[length];
        Arrays.fill(sample, 7);
        AmusedScheduler s = new AmusedScheduler(7, MaskSchedule.COSINE, 4, 2f, 0f);
        Tensor t = Tensor.of(logits, 1, length, vocab);
        float[] workspace = new float[logits.length];
        StepResult fresh = s.step(t, 2, sample, 1f, new SeededRandomSource(3));
        StepResult reused = s.step(t, 2, sample, 1f, new SeededRandomSource(3), workspace);
        assertThat(reused.prevSample()).containsExactly(fresh.prevSample());
        assertThat(reused.confidence()).containsExactly(fresh.confidence());
        double firstRow = 0;
        for (int v = 0; v < vocab; v++) {
            firstRow += workspace[v];
        }
        assertThat(firstRow).isCloseTo(1.0, within(1e-6));
        assertThat(t.data()).containsExactly(logits.clone());
    }

    @Test
    void replayFailsClearlyWhenExhausted() {
        ReplayRandomSource r = new ReplayRandomSource(new float[] {0.5f, 0.25f});
        assertThat(r.nextUniform()).isEqualTo(0.5f);
        assertThatThrownBy(() -> r.next(2)).isInstanceOf(AmusedException.class).hasMessageContaining("exhausted");
        assertThat(r.nextUniform()).isEqualTo(0.25f);
        assertThat(r.remaining()).isZero();
        assertThatThrownBy(r::nextUniform).isInstanceOf(AmusedException.class).hasMessageContaining("exhausted");
        assertThatThrownBy(() -> new ReplayRandomSource(new float[] {1f})).isInstanceOf(AmusedException.class);
    }

    @Test
    void seededSourceIsDeterministicAndUniformOnA24BitGrid() {
        float[] a = new SeededRandomSource(42).next(10_000);
        float[] b = new SeededRandomSource(42).next(10_000);
        float[] c = new SeededRandomSource(43).next(10_000);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        double mean = 0;
        for (float u : a) {
            assertThat(u).isGreaterThanOrEqualTo(0f).isLessThan(1f);
            assertThat(u * 0x1.0p24f).isEqualTo((float) Math.floor(u * 0x1.0p24f));
            mean += u / a.length;
        }
        assertThat(mean).isBetween(0.49, 0.51);
    }

    @Test
    void seededSourceGivesTheSameNumbersOnEveryMachine() {
        // SplitMix64 of seed 0: first output 0xE220A8397B1DCDAF; its top 24 bits are 0xE220A8.
        assertThat(new SeededRandomSource(0).nextUniform()).isEqualTo(0xE220A8 * 0x1.0p-24f);
    }

    @Test
    void readsSchedulerConfig(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("scheduler_config.json");
        Files.writeString(file, "{\"_class_name\": \"AmusedScheduler\", \"mask_token_id\": 71, "
                + "\"masking_schedule\": \"linear\", \"future_key\": [1]}");
        assertThat(SchedulerConfig.read(file)).isEqualTo(new SchedulerConfig(71, MaskSchedule.LINEAR));
        Files.writeString(file, "{\"mask_token_id\": 8255}");
        assertThat(SchedulerConfig.read(file).maskingSchedule()).isEqualTo(MaskSchedule.COSINE);
        Files.writeString(file, "{\"masking_schedule\": \"cosine\"}");
        assertThatThrownBy(() -> SchedulerConfig.read(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining("mask_token_id").hasMessageContaining(file.toString());
        Files.writeString(file, "{\"mask_token_id\": 1, \"masking_schedule\": \"sigmoid\"}");
        assertThatThrownBy(() -> SchedulerConfig.read(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining("sigmoid");
        assertThatThrownBy(() -> SchedulerConfig.read(dir.resolve("missing.json")))
                .isInstanceOf(AmusedException.class);
    }
}
