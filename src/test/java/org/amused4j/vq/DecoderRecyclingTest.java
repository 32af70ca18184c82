package org.amused4j.vq;

import org.amused4j.io.RandomWeights;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decode reuses the storage of its dead intermediates (a recycling tape): it must give the same image, bit for
 * bit, as one that allocates every map. The config has a shortcut convolution, an upsampler and maps large enough
 * for the Winograd convolution, whose outputs are written band by band.
 */
class DecoderRecyclingTest {
    @Test
    void aDecodeThatRecyclesItsMapsGivesTheSameImageAsOneThatAllocatesThemAll() {
        VqConfig config = new VqConfig(3, 3, List.of(8, 16), 1, 4, 32, 4, 4, false);
        VqModel vq = new VqModel(config, new RandomWeights(7));
        SplittableRandom random = new SplittableRandom(3);
        Tensor zq = Tensor.zeros(2, 4, 12, 12);
        for (int i = 0; i < zq.size(); i++) {
            zq.data()[i] = (float) random.nextGaussian();
        }

        Tensor allocating = vq.decodeEmbeddings(zq, Tape.NONE);
        Tensor recycling = vq.decodeEmbeddings(zq);

        assertThat(recycling.shape()).containsExactly(2, 3, 24, 24);
        assertThat(recycling.data()).isEqualTo(allocating.data());
    }
}
