package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VectorQuantizerTest {

    private static VectorQuantizer quantizer(int dim, float... codebook) {
        Weights w = (name, shape) -> {
            assertThat(name).isEqualTo("embedding.weight");
            return Tensor.of(codebook.clone(), shape);
        };
        return new VectorQuantizer(w, codebook.length / dim, dim);
    }

    @Test
    void idsAreRowMajorPerImageAndLookupInvertsThem() {
        // 2-d codes; latents [2, 2, 1, 3]: image 0 pixels pick codes 2, 0, 1; image 1 picks 1, 1, 2
        VectorQuantizer q = quantizer(2, 0, 0, 5, 5, -4, 3);
        Tensor z = Tensor.of(new float[] {
                -3.9f, 0.1f, 4.8f, /* channel 1 */ 2.9f, 0.2f, 5.1f,
                5f, 4.9f, -4f, /* channel 1 */ 5f, 5.2f, 3f}, 2, 2, 1, 3);
        int[] ids = q.indices(z);
        assertThat(ids).containsExactly(2, 0, 1, 1, 1, 2);

        Tensor codes = q.lookup(ids, 2, 1, 3);
        assertThat(codes.shape()).containsExactly(2, 2, 1, 3);
        assertThat(codes.data()).containsExactly(-4, 0, 5, 3, 0, 5, 5, 5, -4, 5, 5, 3);
    }

    @Test
    void exactTiesGoToTheLowestId() {
        VectorQuantizer q = quantizer(1, 3, 1, 1, -1);
        assertThat(q.indices(Tensor.of(new float[] {0, 2}, 1, 1, 1, 2))).containsExactly(1, 0);
    }

    @Test
    void distancesUseTheFloat32ExpansionLikeTorchCdist() {
        // |v-e|² = |v|² + |e|² − 2v·e with v = 1000: for e = 1000.0625 the terms cancel to 0 in float32
        // (1000.0625² rounds to 1000125), the same as for the exact match e = 1000; the tie goes to id 0.
        // An exact distance would pick id 1; diffusers (torch.cdist with more than 25 rows) picks 0.
        VectorQuantizer q = quantizer(1, 1000.0625f, 1000f);
        assertThat(q.indices(Tensor.of(new float[] {1000f}, 1, 1, 1, 1))).containsExactly(0);
    }

    @Test
    void lookupRejectsIdsOutsideTheCodebook() {
        VectorQuantizer q = quantizer(1, 0, 1, 2);
        assertThatThrownBy(() -> q.lookup(new int[] {0, 3}, 1, 1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token id 3");
        assertThatThrownBy(() -> q.lookup(new int[] {0, 1, 2}, 1, 1, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
