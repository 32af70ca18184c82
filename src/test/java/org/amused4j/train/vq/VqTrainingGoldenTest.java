package org.amused4j.train.vq;

import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.golden.UsesGolden;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.Parameter;
import org.amused4j.train.TransformerTrainingPass;
import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code training_vq_*} case (golden README §9.5): the straight-through forward (latents, indices, z_q,
 * reconstruction), the three loss parts, d loss / d latents, d loss / d z_q_st and d loss / d every VQ parameter
 * within the sidecar's suggested tolerances.
 */
@UsesGolden
@Tag("parity")
class VqTrainingGoldenTest {
    @TestFactory
    Stream<DynamicTest> straightThroughLossAndGradientsMatch() {
        return Golden.cases("training_vq").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(GoldenCase c) {
        VqModel model = VqModel.load(c.model());
        List<Parameter> params = TransformerTrainingPass.parameters(model, name -> true);
        VqTrainingPass.Result r = new VqTrainingPass(model, params, c.json().path("beta").asDouble())
                .run(c.tensor("image"), true);

        assertLoss(c, "loss_mse", r.lossMse());
        assertLoss(c, "loss_codebook", r.lossCodebook());
        assertLoss(c, "loss_commitment", r.lossCommitment());
        assertLoss(c, "loss_total", r.lossTotal());
        int[] expectedIds = Arrays.stream(c.longs("indices")).mapToInt(Math::toIntExact).toArray();
        assertThat(r.indices()).as(c.name() + "/indices").isEqualTo(expectedIds);
        assertTensor(c, "latents", r.latents());
        assertTensor(c, "z_q", r.zq());
        assertTensor(c, "reconstruction", r.reconstruction());
        assertTensor(c, "grad_latents", r.gradLatents());
        assertTensor(c, "grad_z_q_st", r.gradZqSt());

        try (SafeTensors golden = c.open()) {
            List<String> recorded = golden.names().stream().filter(n -> n.startsWith("grad/"))
                    .map(n -> n.substring("grad/".length())).toList();
            assertThat(params.stream().map(Parameter::name).toList()).as(c.name() + " parameters")
                    .containsExactlyInAnyOrderElementsOf(recorded);
            for (Parameter p : params) {
                String name = "grad/" + p.name();
                Approx.assertClose(c.name() + "/" + name, golden.load(name).data(), p.grad(), c.atol(name));
            }
        }
    }

    private static void assertLoss(GoldenCase c, String name, double actual) {
        Approx.assertClose(c.name() + "/" + name, c.tensor(name).data(), new float[] {(float) actual}, c.atol(name));
    }

    private static void assertTensor(GoldenCase c, String name, Tensor actual) {
        assertThat(actual).as(c.name() + "/" + name).isNotNull();
        Approx.assertClose(c.name() + "/" + name, c.tensor(name), actual, c.atol(name));
    }
}
