package org.amused4j.nn;

import org.amused4j.io.RandomWeights;
import org.amused4j.io.Weights;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LayersTest {
    private static final Weights W = new RandomWeights(1).prefixed("layer");

    private static Tensor input(int... shape) {
        Tensor x = Tensor.zeros(shape);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) Math.sin(0.37 * i + 0.1);
        }
        return x;
    }

    @Test
    void linearMapsTheLastAxisAndAddsTheBias() {
        Linear linear = new Linear(W, 3, 2, true);
        linear.bias().data()[0] = 0.5f;
        linear.bias().data()[1] = -1f;
        Tensor x = input(2, 4, 3);

        Tensor y = linear.forward(x);

        assertThat(y.shape()).containsExactly(2, 4, 2);
        float[] w = linear.weight().data();
        for (int r = 0; r < 8; r++) {
            for (int o = 0; o < 2; o++) {
                double expected = linear.bias().data()[o];
                for (int i = 0; i < 3; i++) {
                    expected += x.data()[r * 3 + i] * w[o * 3 + i];
                }
                assertThat(y.data()[r * 2 + o]).isCloseTo((float) expected, within(1e-5f));
            }
        }
    }

    @Test
    void forwardOntoAddsTheBaseWithoutChangingItsInputs() {
        Linear linear = new Linear(W, 5, 4, true);
        Tensor x = input(3, 5);
        Tensor base = input(3, 4);
        Tensor baseBefore = base.copy();

        Tensor sum = linear.forwardOnto(x, base);
        Tensor plain = linear.forward(x);

        assertThat(base.data()).isEqualTo(baseBefore.data());
        for (int i = 0; i < sum.size(); i++) {
            assertThat(sum.data()[i]).isCloseTo(base.data()[i] + plain.data()[i], within(1e-5f));
        }
        assertThat(linear.forwardBiasFirst(x).data()).usingComparatorWithPrecision(1e-5f)
                .containsExactly(plain.data());
    }

    @Test
    void layersNameTheirParametersLikeDiffusers() {
        assertThat(new Linear(W, 3, 2, false).namedParameters()).containsOnlyKeys("weight");
        assertThat(new Linear(W, 3, 2, true).namedParameters()).containsOnlyKeys("weight", "bias");
        assertThat(new LayerNorm(W, 3, 1e-5, false, true).namedParameters()).isEmpty();
        assertThat(new LayerNorm(W, 3, 1e-5, true, false).namedParameters()).containsOnlyKeys("weight");
        assertThat(new RmsNorm(W, 3, 1e-6, true).namedParameters()).containsOnlyKeys("weight");
        assertThat(new GroupNorm(W, 4, 2, 1e-6).namedParameters()).containsOnlyKeys("weight", "bias");
        assertThat(Conv2d.pointwise(W, 4, 2, false).namedParameters()).containsOnlyKeys("weight");
        Embedding embedding = new Embedding(W, 7, 3);
        assertThat(embedding.namedParameters().get("weight")).isSameAs(embedding.weight());
        assertThat(new Linear(W, 3, 2, true).namedParameters().get("weight").shape()).containsExactly(2, 3);
    }

    @Test
    void conv2dPaddingDecidesTheOutputSize() {
        Tensor x = input(1, 2, 5, 6);
        Conv2d same = Conv2d.sizePreserving(W, 2, 3, 3, true);
        Conv2d down = new Conv2d(W, 2, 2, 3, 2, Conv2d.Padding.bottomRight(1), 1, true);
        Conv2d depthwise = new Conv2d(W, 2, 2, 3, 1, Conv2d.Padding.uniform(1), 2, false);

        assertThat(same.forward(x).shape()).containsExactly(1, 3, 5, 6);
        assertThat(down.forward(x).shape()).containsExactly(1, 2, 2, 3);
        assertThat(depthwise.weight().shape()).containsExactly(2, 1, 3, 3);
        assertThat(depthwise.forward(x).shape()).containsExactly(1, 2, 5, 6);
    }

    @Test
    void layoutsRoundTripAndRmsNormOverChannelsEqualsNormOverTheLastAxisOfNhwc() {
        Tensor x = input(2, 3, 4, 5);
        Tensor nhwc = Layouts.toNhwc(x);
        assertThat(nhwc.shape()).containsExactly(2, 4, 5, 3);
        assertThat(nhwc.data()[(((1 * 4) + 2) * 5 + 3) * 3 + 1]).isEqualTo(x.data()[((1 * 3 + 1) * 4 + 2) * 5 + 3]);
        assertThat(Layouts.toNchw(nhwc).data()).isEqualTo(x.data());

        RmsNorm norm = new RmsNorm(W, 3, 1e-6, true);
        assertThat(norm.forwardChannels(x).data()).isEqualTo(Layouts.toNchw(norm.forward(nhwc)).data());
    }

    @Test
    void tensorOpsCopyUnlessInPlace() {
        Tensor a = input(2, 3);
        Tensor b = input(2, 3);
        Tensor aBefore = a.copy();
        Tensor sum = TensorOps.add(a, b);
        assertThat(a.data()).isEqualTo(aBefore.data());
        assertThat(sum.data()[4]).isEqualTo(a.data()[4] + b.data()[4]);
        assertThat(TensorOps.silu(a).data()).isNotEqualTo(a.data());
        assertThat(a.data()).isEqualTo(aBefore.data());
        assertThat(TensorOps.addInPlace(a, b)).isSameAs(a);
        assertThat(a.data()).isEqualTo(sum.data());
        assertThat(TensorOps.concatFeatures(input(2, 3), input(2, 1)).shape()).containsExactly(2, 4);
    }
}
