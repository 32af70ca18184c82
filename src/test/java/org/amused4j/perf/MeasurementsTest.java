package org.amused4j.perf;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MeasurementsTest {
    @Test
    void fmaPeakIsAPlausiblePositiveRate() {
        // Any machine that runs this does between 1 and 100,000 GFLOP/s; a broken timer or loop gives 0 or infinity.
        assertThat(FmaPeak.measure()).isBetween(1.0, 100_000.0);
    }

    @Test
    void peakRssIsAtLeastTheCurrentHeapInUseOnLinux() {
        long rss = PeakRss.bytes();
        if (System.getProperty("os.name").startsWith("Linux")) {
            Runtime rt = Runtime.getRuntime();
            assertThat(rss).isGreaterThan(rt.totalMemory() - rt.freeMemory());
        } else {
            assertThat(rss).isEqualTo(-1);
        }
    }
}
