package org.amused4j.nn;

import org.amused4j.golden.UsesGolden;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.io.FileWeights;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.uvit.UVit2DModel;
import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Module#parameters} of every golden model (transformer, VQ, text encoder) names exactly the tensors of its
 * weight file, and under each name hands out the live tensor loaded from that name (so training and LoRA that look a
 * parameter up by its diffusers name update the right one).
 */
@UsesGolden
@Tag("parity")
class ParameterNamesGoldenTest {

    @TestFactory
    Stream<DynamicTest> transformers() {
        return models("transformer", UVit2DModel.WEIGHTS_FILE + ".safetensors", UVit2DModel::load);
    }

    @TestFactory
    Stream<DynamicTest> vqModels() {
        return models("vq", VqModel.WEIGHTS_FILE, VqModel::load);
    }

    @TestFactory
    Stream<DynamicTest> textEncoders() {
        return models("text_encoder", "model.safetensors", dir -> {
            try (FileWeights weights = FileWeights.open(dir.resolve("model.safetensors"))) {
                return new ClipTextEncoder(ClipTextConfig.read(dir.resolve("config.json")), weights);
            }
        });
    }

    private static Stream<DynamicTest> models(String kind, String weightFile, Function<Path, Module> load) {
        return Golden.cases(kind).stream().map(GoldenCase::model).distinct()
                .map(dir -> DynamicTest.dynamicTest(dir.getParent().getFileName() + "/" + dir.getFileName(),
                        () -> check(load.apply(dir), dir.resolve(weightFile))));
    }

    private static void check(Module model, Path weightFile) {
        Map<String, Tensor> parameters = model.namedParameters();
        try (SafeTensors file = SafeTensors.open(weightFile)) {
            assertThat(parameters.keySet()).containsExactlyInAnyOrderElementsOf(file.names());
            parameters.forEach((name, tensor) -> {
                assertThat(tensor.shape()).as(name).containsExactly(file.info(name).shape());
                assertThat(Arrays.equals(tensor.data(), file.load(name).data())).as(name + " holds its own values")
                        .isTrue();
            });
        }
    }
}
