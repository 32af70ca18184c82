package org.amused4j.train;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.io.FileWeights;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.loss.MaskedCrossEntropy;
import org.amused4j.uvit.LoraAdapters;
import org.amused4j.uvit.UVit2DModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code training_lora_*} case: adapters loaded from the case's {@code pytorch_lora_weights.safetensors}
 * give the recorded logits and loss, and the gradients of every adapter matrix (the base frozen) within the
 * sidecar's tolerances; saving the adapters reproduces the file's tensors, names and metadata.
 */
@UsesGolden
@Tag("parity")
class LoraGoldenTest {
    @TempDir
    Path temp;

    @TestFactory
    Stream<DynamicTest> adaptersForwardBackwardAndFileMatch() {
        return Golden.cases("training_lora").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c)));
    }

    private void run(GoldenCase c) {
        JsonNode json = c.json();
        UVit2DModel model = UVit2DModel.load(c.model());
        LoraAdapters.Config config = new LoraAdapters.Config(json.get("r").asInt(), json.get("lora_alpha").asDouble(),
                json.get("target_modules").valueStream().map(JsonNode::asText).toList());
        assertThat(config.alpha() / config.rank()).isEqualTo(json.get("scaling").asDouble());
        Path file = c.resolve(json.get("lora_file").asText());
        LoraAdapters adapters;
        try (FileWeights weights = FileWeights.open(file)) {
            adapters = LoraAdapters.attach(model, config, LoraAdapters.fromFile(weights));
            weights.checkAllUsed();
        }
        assertThat(adapters.count()).isEqualTo(json.get("n_adapted_linears").asInt());

        List<Parameter> params = TransformerTrainingPass.parameters(model,
                name -> name.contains(LoraAdapters.NAME_MARKER));
        TransformerTrainingPass.Result result = GoldenBatch.of(c).run(
                new TransformerTrainingPass(model, params, new MaskedCrossEntropy(), false), false);
        Approx.assertClose(c.name() + "/logits", c.tensor("logits"), result.logits(), c.atol("logits"));
        Approx.assertClose(c.name() + "/loss", c.tensor("loss").data(), new float[] {result.loss()}, c.atol("loss"));

        Map<String, Tensor> adapterParams = adapters.namedParameters();
        try (SafeTensors golden = c.open()) {
            List<String> recorded = golden.names().stream().filter(n -> n.startsWith("grad/")).toList();
            assertThat(recorded).hasSize(adapterParams.size());
            for (Parameter p : params) {
                String key = "grad/" + LoraAdapters.COMPONENT_PREFIX + p.name();
                if (!p.isTrainable()) {
                    continue;
                }
                assertThat(adapterParams).containsKey(p.name());
                Approx.assertClose(c.name() + "/" + key, golden.load(key).data(), p.grad(), c.atol(key));
            }
        }
        assertThat(params.stream().filter(Parameter::isTrainable).count()).isEqualTo(adapterParams.size());

        Path saved = temp.resolve(c.name() + "-" + LoraAdapters.FILE_NAME);
        adapters.save(saved);
        try (SafeTensors expected = SafeTensors.open(file); SafeTensors actual = SafeTensors.open(saved)) {
            assertThat(actual.names()).containsExactlyInAnyOrderElementsOf(expected.names());
            assertThat(actual.metadata()).isEqualTo(expected.metadata());
            for (String name : expected.names()) {
                assertThat(actual.load(name).data()).as(name).isEqualTo(expected.load(name).data());
            }
        }
    }
}
