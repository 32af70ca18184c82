package org.amused4j.io;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RandomWeightsTest {
    @Test
    void valuesDependOnlyOnSeedAndNameNotOnRequestOrder() {
        RandomWeights a = new RandomWeights(7);
        Tensor x1 = a.get("x.weight", 4, 5);
        a.get("y.weight", 3, 3);
        RandomWeights b = new RandomWeights(7);
        b.get("y.weight", 3, 3);
        assertThat(b.get("x.weight", 4, 5).data()).containsExactly(x1.data());
        assertThat(new RandomWeights(8).get("x.weight", 4, 5).data()).isNotEqualTo(x1.data());
    }

    @Test
    void namesWithEqualStringHashCodesGetDifferentValues() {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        RandomWeights w = new RandomWeights(1);
        assertThat(w.get("Aa.weight", 8, 8).data()).isNotEqualTo(w.get("BB.weight", 8, 8).data());
    }

    @Test
    void biasesAreZeroAndNormScalesOne() {
        RandomWeights w = new RandomWeights(3);
        assertThat(w.get("attn.to_q.bias", 5).data()).containsOnly(0f);
        assertThat(w.get("channelwise_norm.beta", 1, 1, 1, 4).data()).containsOnly(0f);
        assertThat(w.get("transformer_layers.0.norm1.norm.weight", 6).data()).containsOnly(1f);
        assertThat(w.get("encoder.conv_norm_out.weight", 6).data()).containsOnly(1f);
    }

    @Test
    void matricesAreScaledByFanIn() {
        RandomWeights w = new RandomWeights(5);
        float[] d = w.get("ff.net.2.weight", 64, 400).data();
        double mean = 0;
        double sq = 0;
        for (float v : d) {
            mean += v;
            sq += v * v;
        }
        mean /= d.length;
        double std = Math.sqrt(sq / d.length - mean * mean);
        assertThat(mean).isCloseTo(0, within(0.005));
        assertThat(std).isCloseTo(1 / Math.sqrt(400), within(0.002));
    }

    @Test
    void largeTensorsAreBellShapedAndBoundedWithUnrelatedChunks() {
        float[] d = new RandomWeights(11).get("w.weight", 300, 1000).data();
        double std = 1 / Math.sqrt(1000);
        double sq = 0;
        double fourth = 0;
        for (float v : d) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo((float) (2 * Math.sqrt(3) * std + 1e-6));
            sq += v * v;
            fourth += (double) v * v * v * v;
        }
        double variance = sq / d.length;
        assertThat(Math.sqrt(variance)).isCloseTo(std, within(std * 0.01));
        // Irwin-Hall with four terms has kurtosis 3 - 6/20 = 2.7 (a normal 3, a uniform 1.8).
        assertThat(fourth / d.length / (variance * variance)).isCloseTo(2.7, within(0.05));
        // Neighbouring 65536-element chunks are not shifted copies of each other.
        int chunk = 1 << 16;
        for (int shift = -2; shift <= 2; shift++) {
            assertThat(d[chunk + 10 + shift]).isNotEqualTo(d[10]);
        }
    }

    @Test
    void recordsRequestsAndCountsParameters() {
        RandomWeights w = new RandomWeights(0);
        w.get("b", 2, 3);
        w.get("a", 4);
        w.get("empty", 0, 5);
        assertThat(w.requested().keySet()).containsExactly("b", "a", "empty");
        assertThat(w.requested().get("b")).containsExactly(2, 3);
        assertThat(w.parameterCount()).isEqualTo(10);
    }
}
