package org.amused4j.uvit;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The micro-conditioning embedding against the values spec 05 §1 states for amused's 256 channels. */
class SinusoidalEmbeddingTest {
    @Test
    void putsCosinesFirstWithTheSpecFrequencies() {
        Tensor out = SinusoidalEmbedding.embed(Tensor.of(new float[] {1f, 0f}, 1, 2), 256);

        assertThat(out.shape()).containsExactly(1, 512);
        assertThat(out.get(0, 0)).isEqualTo((float) Math.cos(1.0));
        assertThat(out.get(0, 128)).isEqualTo((float) Math.sin(1.0));
        assertThat(out.get(0, 1)).isEqualTo((float) Math.cos(0.93057203f));
        assertThat(out.get(0, 127)).isCloseTo((float) Math.cos(1.0746e-4), within(1e-7f));
        assertThat(out.get(0, 255)).isCloseTo(1.0746e-4f, within(1e-8f));
        // The second value (0) embeds as cos 1, sin 0 on every channel.
        assertThat(out.get(0, 256)).isEqualTo(1f);
        assertThat(out.get(0, 256 + 128)).isEqualTo(0f);
    }

    @Test
    void anOddWidthEndsWithAZeroChannel() {
        Tensor out = SinusoidalEmbedding.embed(Tensor.of(new float[] {3f}, 1, 1), 5);

        assertThat(out.get(0, 0)).isEqualTo((float) Math.cos(3.0));
        assertThat(out.get(0, 2)).isEqualTo((float) Math.sin(3.0));
        assertThat(out.get(0, 4)).isZero();
    }
}
