package org.amused4j.kernels;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KernelTimesTest {
    @Test
    void timesEveryCallByKernelAndShapeOnlyWhileOn() {
        Kernels k = Kernels.get();
        float[] a = new float[6 * 4];
        float[] b = new float[4 * 5];
        float[] c = new float[6 * 5];
        float[] x = new float[3 * 8];
        k.gemm(false, false, 6, 5, 4, 1f, a, 0, 4, b, 0, 5, 0f, c, 0, 5); // before start: not timed

        KernelTimes.start();
        k.gemm(false, false, 6, 5, 4, 1f, a, 0, 4, b, 0, 5, 0f, c, 0, 5);
        k.gemm(false, false, 6, 5, 4, 1f, a, 0, 4, b, 0, 5, 0f, c, 0, 5);
        k.gemm(false, false, 3, 5, 4, 1f, a, 0, 4, b, 0, 5, 0f, c, 0, 5);
        k.softmax(x, 0, 3, 8);
        List<KernelTimes.Entry> entries = KernelTimes.stop();
        k.softmax(x, 0, 3, 8); // after stop: not timed

        assertThat(entries).extracting(KernelTimes.Entry::kernel)
                .containsExactlyInAnyOrder("gemm 6×5×4", "gemm 3×5×4", "softmax");
        KernelTimes.Entry six = entries.stream().filter(e -> e.kernel().equals("gemm 6×5×4")).findFirst()
                .orElseThrow();
        assertThat(six.calls()).isEqualTo(2);
        assertThat(six.flops()).isEqualTo(2 * 2L * 6 * 5 * 4);
        assertThat(six.nanos()).isPositive();
        KernelTimes.Entry softmax = entries.stream().filter(e -> e.kernel().equals("softmax")).findFirst()
                .orElseThrow();
        assertThat(softmax.calls()).isEqualTo(1);
        assertThat(softmax.flops()).isZero();
        assertThat(entries).isSortedAccordingTo((p, q) -> Long.compare(q.nanos(), p.nanos()));
        assertThat(KernelTimes.flops(entries)).isEqualTo(2 * 2L * 6 * 5 * 4 + 2L * 3 * 5 * 4);

        KernelTimes.start();
        assertThat(KernelTimes.stop()).as("start forgets earlier calls").isEmpty();
    }
    @Test
    void countsTheThreadsThatMadeTheTimedCalls() throws InterruptedException {
        Kernels k = Kernels.get();
        float[] x = new float[8];
        KernelTimes.start();
        k.softmax(x, 0, 1, 8);
        Thread other = Thread.ofPlatform().start(() -> k.softmax(new float[8], 0, 1, 8));
        other.join();
        KernelTimes.stop();
        assertThat(KernelTimes.callers()).isEqualTo(2);

        KernelTimes.start();
        k.softmax(x, 0, 1, 8);
        k.softmax(x, 0, 1, 8);
        KernelTimes.stop();
        assertThat(KernelTimes.callers()).isEqualTo(1);
    }
}
