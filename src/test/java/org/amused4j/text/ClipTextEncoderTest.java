package org.amused4j.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.golden.ModelCopy;
import org.amused4j.io.FileWeights;
import org.amused4j.io.RandomWeights;
import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClipTextEncoderTest {

    /** CLIP ViT-L/14's text tower, aMUSEd's text encoder (spec 01 §5). */
    private static final ClipTextConfig CLIP_L14 =
            new ClipTextConfig(768, 3072, 12, 12, 77, 49408, 768, 1e-5, "quick_gelu", 2);

    @Test
    void fullSizeModelHasTheSpecifiedParametersNamesAndShapes() throws IOException {
        RandomWeights weights = new RandomWeights(7);
        new ClipTextEncoder(CLIP_L14, weights);
        assertThat(weights.parameterCount()).isEqualTo(123_650_304L);

        Map<String, String> actual = new TreeMap<>();
        weights.requested().forEach((name, shape) -> actual.put(name, Arrays.toString(shape)));
        assertThat(actual).isEqualTo(expectedTensorList());
    }

    /** src/test/resources/text-encoder-tensors.txt: the text encoder list of spec A3, one "name [shape]" a line. */
    private static Map<String, String> expectedTensorList() throws IOException {
        Map<String, String> expected = new TreeMap<>();
        try (InputStream in = ClipTextEncoderTest.class.getResourceAsStream("/text-encoder-tensors.txt")) {
            assertThat(in).as("text-encoder-tensors.txt on the test classpath").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    int space = line.indexOf(' ');
                    expected.put(line.substring(0, space), line.substring(space + 1).strip());
                }
            }
        }
        assertThat(expected).hasSize(197);
        return expected;
    }

    @Test
    void aMissingTensorIsNamedInTheError(@TempDir Path dir) {
        Path model = TokenizerFolders.all().get(0).resolveSibling("text_encoder");
        ClipTextConfig config = ClipTextConfig.read(model.resolve("config.json"));
        String dropped = "text_model.encoder.layers.1.mlp.fc2.bias";
        ModelCopy copy = ModelCopy.of(model, "model.safetensors", dir);
        copy.tensors().remove(dropped);
        try (FileWeights weights = FileWeights.open(copy.write().resolve("model.safetensors"))) {
            assertThatThrownBy(() -> new ClipTextEncoder(config, weights))
                    .isInstanceOf(AmusedException.class)
                    .hasMessageContaining(dropped)
                    .hasMessageContaining("missing");
        }
    }

    @Test
    void geluActivationIsSelectedByTheConfig() {
        ClipTextConfig quick = new ClipTextConfig(8, 16, 2, 2, 77, 50, 4, 1e-5, "quick_gelu", 2);
        ClipTextConfig exact = new ClipTextConfig(8, 16, 2, 2, 77, 50, 4, 1e-5, "gelu", 2);
        int[][] ids = {{1, 5, 49, 3}};
        float[] a = new ClipTextEncoder(quick, new RandomWeights(3)).forward(ids).textEmbeds().data();
        float[] b = new ClipTextEncoder(exact, new RandomWeights(3)).forward(ids).textEmbeds().data();
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void poolsAtTheFirstMaximumIdWithTheLegacyEosIdElseAtTheFirstEosId() {
        int[][] ids = {{10, 40, 30, 40, 7}};
        ClipTextConfig legacy = new ClipTextConfig(8, 16, 1, 2, 77, 50, 4, 1e-5, "quick_gelu", 2);
        ClipTextConfig byId = new ClipTextConfig(8, 16, 1, 2, 77, 50, 4, 1e-5, "quick_gelu", 30);
        assertThat(new ClipTextEncoder(legacy, new RandomWeights(1)).forward(ids).poolingIndex()).containsExactly(1);
        assertThat(new ClipTextEncoder(byId, new RandomWeights(1)).forward(ids).poolingIndex()).containsExactly(2);
    }

    @Test
    void withOneLayerThePenultimateStateIsTheEmbedding() {
        ClipTextConfig one = new ClipTextConfig(8, 16, 1, 2, 77, 50, 4, 1e-5, "quick_gelu", 2);
        ClipTextOutput out = new ClipTextEncoder(one, new RandomWeights(5)).forward(new int[][] {{1, 2, 3}}, true);
        assertThat(out.hiddenStates()).hasSize(2);
        assertThat(out.penultimate().data()).containsExactly(out.hiddenStates().get(0).data());
    }

    @Test
    void configErrorsNameTheFileAndKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(
                TokenizerFolders.all().get(0).resolveSibling("text_encoder").resolve("config.json").toFile());
        json.put("some_future_key", "ignored");
        Files.writeString(file, json.toString());
        assertThat(ClipTextConfig.read(file).hiddenAct()).isEqualTo("quick_gelu");

        json.remove("num_attention_heads");
        Files.writeString(file, json.toString());
        assertThatThrownBy(() -> ClipTextConfig.read(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("num_attention_heads");

        json.put("num_attention_heads", 4);
        json.put("hidden_act", "relu");
        Files.writeString(file, json.toString());
        assertThatThrownBy(() -> ClipTextConfig.read(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("relu");
    }

    @Test
    void optionalKeysTakeTransformersDefaults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, """
                {"hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                 "max_position_embeddings": 77, "vocab_size": 50, "projection_dim": 4}
                """);
        ClipTextConfig c = ClipTextConfig.read(file);
        assertThat(c.layerNormEps()).isEqualTo(1e-5);
        assertThat(c.hiddenAct()).isEqualTo("quick_gelu");
        assertThat(c.eosTokenId()).isEqualTo(ClipTextConfig.LEGACY_EOS_TOKEN_ID);
    }
}
