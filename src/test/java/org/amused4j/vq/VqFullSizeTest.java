package org.amused4j.vq;

import org.amused4j.io.RandomWeights;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The real amused VQ config built with random weights: every parameter name and shape, and the data flow. */
class VqFullSizeTest {

    @TempDir
    Path tmp;

    @Test
    void fullSizeModelHasTheSpecTensorsAndRuns() throws IOException {
        RandomWeights weights = new RandomWeights(7);
        VqModel vq = new VqModel(VqConfigTest.amusedConfig(tmp), weights);

        assertThat(weights.parameterCount()).isEqualTo(146_244_675L);
        Map<String, String> built = new TreeMap<>();
        weights.requested().forEach((name, shape) -> built.put(name, Arrays.toString(shape)));
        assertThat(built).isEqualTo(specTensorList());

        // A 16×16 image is one token: enough to push data through every block without a slow 512² decode.
        Tensor image = Tensor.zeros(1, 3, 16, 16);
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < image.size(); i++) {
            image.data()[i] = (float) rnd.nextDouble();
        }
        Tensor latents = vq.encode(image);
        assertThat(latents.shape()).containsExactly(1, 64, 1, 1);
        int[] ids = vq.quantize(latents);
        assertThat(ids).hasSize(1);
        assertThat(ids[0]).isBetween(0, 8191);
        Tensor decoded = vq.decode(ids, 1, 1, 1);
        assertThat(decoded.shape()).containsExactly(1, 3, 16, 16);
        for (float v : decoded.data()) {
            assertThat(v).isFinite();
        }
    }

    /** Name → shape from the VQ list of spec A3 (copied once into the test resources). */
    private static Map<String, String> specTensorList() throws IOException {
        try (var in = new BufferedReader(new InputStreamReader(
                VqFullSizeTest.class.getResourceAsStream("amused-vq-tensors.txt"), StandardCharsets.UTF_8))) {
            return in.lines().filter(l -> !l.isBlank())
                    .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(' ')), l -> l.substring(l.indexOf(' ') + 1),
                            (a, b) -> {
                                throw new IllegalStateException("duplicate " + a);
                            }, TreeMap::new));
        }
    }
}
