package org.amused4j.train;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code training_adamw_*} case: starting from the model file's weights, the recorded gradients of
 * each step are fed into {@link AdamW} with the case's hyper-parameters, and the parameters and moments
 * after every step are compared with the recorded ones under {@code tolerances_optimizer_only}.
 */
@UsesGolden
@Tag("parity")
class AdamWGoldenParityTest {

    @TestFactory
    Stream<DynamicTest> matchesTorch() {
        return Golden.cases("training_adamw").stream()
                .flatMap(c -> Stream.of(
                        DynamicTest.dynamicTest(c.name() + " parameter groups", () -> checkGroups(c)),
                        DynamicTest.dynamicTest(c.name() + " steps", () -> checkSteps(c))));
    }

    /** The substring rule reproduces the case's decay / no-decay split of every model parameter. */
    private static void checkGroups(GoldenCase c) {
        List<String> names;
        try (SafeTensors weights = SafeTensors.open(weightsFile(c))) {
            names = List.copyOf(weights.names());
        }
        List<Parameter> params = names.stream().map(n -> Parameter.frozen(n, Tensor.zeros(1))).toList();
        ParameterGroups groups = ParameterGroups.splitByName(params, c.json().get("weight_decay").asDouble());
        assertThat(ParameterGroups.NO_DECAY_SUBSTRINGS).as("no-decay substrings")
                .containsExactlyElementsOf(strings(c.json().get("no_decay_substrings")));
        assertThat(names(groups.groups().get(0))).as("decay group")
                .containsExactlyInAnyOrderElementsOf(strings(c.json().get("decay_params")));
        assertThat(names(groups.groups().get(1))).as("no-decay group")
                .containsExactlyInAnyOrderElementsOf(strings(c.json().get("no_decay_params")));
        assertThat(groups.groups().get(1).weightDecay()).isZero();
    }

    private static void checkSteps(GoldenCase c) {
        JsonNode json = c.json();
        List<String> recorded = strings(json.get("recorded_subset"));
        List<Parameter> params = new ArrayList<>();
        try (SafeTensors weights = SafeTensors.open(weightsFile(c))) {
            for (String name : recorded) {
                params.add(Parameter.trainable(name, weights.load(name)));
            }
        }
        ParameterGroups groups = ParameterGroups.splitByName(params, json.get("weight_decay").asDouble());
        JsonNode betas = json.get("betas");
        AdamW adamw = new AdamW(groups,
                new AdamSettings(betas.get(0).asDouble(), betas.get(1).asDouble(), json.get("eps").asDouble()));
        double lr = json.get("lr").asDouble();
        try (SafeTensors golden = c.open()) {
            for (int step = 1; step <= json.get("steps").asInt(); step++) {
                String prefix = "step" + step + "/";
                for (Parameter p : params) {
                    float[] g = golden.load(prefix + "grad/" + p.name()).data();
                    System.arraycopy(g, 0, p.grad(), 0, g.length);
                }
                adamw.step(lr);
                for (Parameter p : params) {
                    AdamW.State state = adamw.state(p);
                    assertThat(state.step()).isEqualTo(step);
                    compare(c, golden, prefix + "param/" + p.name(), p.value());
                    compare(c, golden, prefix + "exp_avg/" + p.name(), state.expAvg());
                    compare(c, golden, prefix + "exp_avg_sq/" + p.name(), state.expAvgSq());
                }
            }
        }
    }

    private static void compare(GoldenCase c, SafeTensors golden, String name, float[] actual) {
        JsonNode atol = c.json().path("tolerances_optimizer_only").path(name).path("suggested_atol");
        assertThat(atol.isNumber()).as(c.name() + ": optimizer-only tolerance of " + name).isTrue();
        Approx.assertClose(c.name() + " " + name, golden.load(name).data(), actual, atol.asDouble());
    }

    private static java.nio.file.Path weightsFile(GoldenCase c) {
        return c.resolve(c.json().get("model").asText()).resolve("diffusion_pytorch_model.safetensors");
    }

    private static List<String> names(ParameterGroups.Group group) {
        return group.parameters().stream().map(Parameter::name).toList();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
