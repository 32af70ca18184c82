package org.amused4j.train;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ParameterGroupsTest {

    @Test
    void noDecayIsASubstringMatchAnywhereInTheName() {
        assertThat(ParameterGroups.isExemptFromDecay("embed.embeddings.weight")).isTrue();
        assertThat(ParameterGroups.isExemptFromDecay("position_embeddings.weight")).isTrue();
        assertThat(ParameterGroups.isExemptFromDecay("encoder_proj_layer_norm.weight")).isTrue();
        assertThat(ParameterGroups.isExemptFromDecay("final_layer_norm.weight")).isTrue();
        assertThat(ParameterGroups.isExemptFromDecay("mlm_layer.layer_norm.weight")).isTrue();
        assertThat(ParameterGroups.isExemptFromDecay("x.mlm_ln.weight")).isTrue();
        assertThat(ParameterGroups.isExemptFromDecay("conv.bias")).isTrue();
        assertThat(ParameterGroups.isExemptFromDecay("biased_proj.weight")).as("'bias' inside a word").isTrue();

        assertThat(ParameterGroups.isExemptFromDecay("transformer_layers.0.norm1.norm.weight")).isFalse();
        assertThat(ParameterGroups.isExemptFromDecay("down_block.res_blocks.0.channelwise_norm.gamma")).isFalse();
        assertThat(ParameterGroups.isExemptFromDecay("down_block.res_blocks.0.channelwise_norm.beta")).isFalse();
        assertThat(ParameterGroups.isExemptFromDecay("embeddings.proj")).isFalse();
        assertThat(ParameterGroups.isExemptFromDecay("layer_norm.w")).isFalse();
    }

    @Test
    void splitKeepsOrderAndAddsGroupsWithDecayForAll() {
        List<Parameter> model = List.of(p("a.weight"), p("a.bias"), p("b.weight"), p("embed.embeddings.weight"));
        ParameterGroups groups = ParameterGroups.splitByName(model, 0.01)
                .with(List.of(p("text.final_layer_norm.weight")), 0.01);
        assertThat(groups.groups()).hasSize(3);
        assertThat(groups.groups().get(0).parameters()).extracting(Parameter::name).containsExactly("a.weight", "b.weight");
        assertThat(groups.groups().get(0).weightDecay()).isEqualTo(0.01);
        assertThat(groups.groups().get(1).parameters()).extracting(Parameter::name)
                .containsExactly("a.bias", "embed.embeddings.weight");
        assertThat(groups.groups().get(1).weightDecay()).isZero();
        assertThat(groups.groups().get(2).weightDecay()).as("text encoder: decay on every parameter").isEqualTo(0.01);
        assertThat(groups.all()).hasSize(5);
    }

    @Test
    void zeroGradClearsEveryGradient() {
        Parameter a = p("a.weight");
        a.grad()[1] = 3f;
        ParameterGroups.splitByName(List.of(a), 0.01).zeroGrad();
        assertThat(a.grad()).containsOnly(0f);
    }

    private static Parameter p(String name) {
        return Parameter.trainable(name, Tensor.zeros(2));
    }
}
