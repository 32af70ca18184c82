package org.amused4j.train;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaGradientsTest {
    @Test
    void addsEveryShadowIntoTheTargetThenScales() {
        Parameter target = withGrad(1, 2);
        Parameter frozen = Parameter.frozen("frozen", Tensor.of(new float[] {5}, 1));
        List<Parameter> first = List.of(withGrad(10, 20), withGrad(0));
        List<Parameter> second = List.of(withGrad(100, 200), withGrad(0));

        ReplicaGradients.foldInto(List.of(target, frozen), List.of(first, second), 1f / 3);

        assertThat(target.grad()).containsExactly(111f / 3, 222f / 3);
        assertThat(frozen.grad()).isNull();
    }

    @Test
    void scaleOneLeavesTheSum() {
        Parameter target = withGrad(1.5f);
        ReplicaGradients.foldInto(List.of(target), List.of(List.of(withGrad(2.25f))), 1f);
        assertThat(target.grad()).containsExactly(3.75f);
    }

    private static Parameter withGrad(float... grad) {
        Parameter p = Parameter.trainable("p", Tensor.zeros(grad.length));
        System.arraycopy(grad, 0, p.grad(), 0, grad.length);
        return p;
    }
}
