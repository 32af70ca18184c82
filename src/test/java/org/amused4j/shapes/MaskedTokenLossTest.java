package org.amused4j.shapes;

import org.amused4j.pipeline.AmusedModel;
import org.amused4j.pipeline.EmbeddedModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskedTokenLossTest {
    @Test
    void masksTheShareAskedForAtDistinctPositionsDrawnFromTheSceneIndex() {
        int[] half = MaskedTokenLoss.maskedPositions(7, 256, 0.5);
        assertThat(half).hasSize(128).doesNotHaveDuplicates();
        assertThat(Arrays.stream(half).allMatch(p -> p >= 0 && p < 256)).isTrue();
        assertThat(MaskedTokenLoss.maskedPositions(7, 256, 0.5)).containsExactly(half);
        assertThat(MaskedTokenLoss.maskedPositions(8, 256, 0.5)).isNotEqualTo(half);
        int[] all = MaskedTokenLoss.maskedPositions(7, 256, 1);
        Arrays.sort(all);
        assertThat(all).hasSize(256).startsWith(0).endsWith(255);
        assertThat(MaskedTokenLoss.maskedPositions(7, 256, 1e-6)).as("at least one").hasSize(1);
    }

    /** On the built-in model: far from a uniform guess over its 512 codes (6.24 nats, 0.2 % right), the same twice. */
    @Test
    void measuresTheBuiltInTransformer() {
        AmusedModel model = AmusedModel.load(EmbeddedModel.locate().orElseThrow(), null);
        List<MaskedTokenLoss.Result> all = MaskedTokenLoss.measure(model, 0, 16, 1);
        assertThat(all).extracting(MaskedTokenLoss.Result::scenes).containsExactly("training", "fresh", "held-out");
        for (MaskedTokenLoss.Result r : all) {
            assertThat(r.count()).isEqualTo(16);
            assertThat(r.loss()).as(r.scenes()).isBetween(0.0, 1.5);
            assertThat(r.shapeLoss()).as(r.scenes()).isBetween(r.loss(), 4.0);
            assertThat(r.shapeAccuracy()).as(r.scenes()).isGreaterThan(0.1);
        }
        assertThat(MaskedTokenLoss.measure(model, 0, 16, 1)).isEqualTo(all);
        assertThatThrownBy(() -> MaskedTokenLoss.measure(model, 0, 0, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
