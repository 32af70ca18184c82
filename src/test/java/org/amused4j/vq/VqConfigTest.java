package org.amused4j.vq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.golden.Golden;
import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VqConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The hub's amused vqvae/config.json as quoted in spec 01 §4. */
    static ObjectNode amusedConfigJson() throws IOException {
        try (InputStream in = VqConfigTest.class.getResourceAsStream("amused-vqvae-config.json")) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    static VqConfig amusedConfig(Path tmp) throws IOException {
        return VqConfig.read(write(tmp, amusedConfigJson()));
    }

    private static Path write(Path dir, ObjectNode json) throws IOException {
        Path file = dir.resolve("config.json");
        JSON.writeValue(file.toFile(), json);
        return file;
    }

    private Path edited(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode json = amusedConfigJson();
        edit.accept(json);
        return write(tmp, json);
    }

    @Test
    void readsTheRealAmusedConfig() throws IOException {
        VqConfig c = amusedConfig(tmp);
        assertThat(c.blockOutChannels()).containsExactly(128, 256, 256, 512, 768);
        assertThat(c.layersPerBlock()).isEqualTo(2);
        assertThat(c.latentChannels()).isEqualTo(64);
        assertThat(c.vqEmbedDim()).as("vq_embed_dim null -> latent_channels").isEqualTo(64);
        assertThat(c.numVqEmbeddings()).isEqualTo(8192);
        assertThat(c.normNumGroups()).isEqualTo(32);
        assertThat(c.forceUpcast()).isTrue();
        assertThat(c.downsampleFactor()).isEqualTo(16);
    }

    @Test
    void readsTheTinyGoldenConfigsIgnoringUnknownKeys() {
        Path models = Golden.dir().resolve("models");
        VqConfig c = VqConfig.read(models.resolve("tiny-amused-256/vqvae/config.json"));
        assertThat(c.blockOutChannels()).containsExactly(16, 32, 32);
        assertThat(c.vqEmbedDim()).isEqualTo(c.latentChannels()).isEqualTo(12);
        assertThat(c.downsampleFactor()).isEqualTo(4);
        assertThat(c.forceUpcast()).isFalse();
    }

    @Test
    void anExplicitEmbedDimWins() throws IOException {
        VqConfig c = VqConfig.read(edited(j -> j.put("vq_embed_dim", 32)));
        assertThat(c.vqEmbedDim()).isEqualTo(32);
        assertThat(c.latentChannels()).isEqualTo(64);
    }

    @Test
    void absentOptionalKeysTakeDiffusersDefaults() throws IOException {
        VqConfig c = VqConfig.read(edited(j -> j.remove(List.of("in_channels", "out_channels", "act_fn",
                "norm_type", "force_upcast", "down_block_types", "up_block_types", "vq_embed_dim"))));
        assertThat(c.inChannels()).isEqualTo(3);
        assertThat(c.outChannels()).isEqualTo(3);
        assertThat(c.forceUpcast()).isFalse();
        assertThat(c.vqEmbedDim()).isEqualTo(64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"block_out_channels", "layers_per_block", "latent_channels", "num_vq_embeddings",
            "norm_num_groups"})
    void aMissingRequiredKeyIsNamedWithTheFile(String key) throws IOException {
        Path file = edited(j -> j.remove(key));
        assertThatThrownBy(() -> VqConfig.read(file))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("'" + key + "'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mid_block_add_attention | true",
            "norm_type               | \"spatial\"",
            "act_fn                  | \"gelu\"",
            "lookup_from_codebook    | false",
            "down_block_types        | [\"DownEncoderBlock2D\",\"DownEncoderBlock2D\",\"DownEncoderBlock2D\",\"DownEncoderBlock2D\",\"AttnDownEncoderBlock2D\"]",
            "up_block_types          | [\"UpDecoderBlock2D\"]",
            "block_out_channels      | [128,256,256,512,760]",
            "layers_per_block        | 0",
    })
    void unimplementedVariantsAreRejectedNamingTheKey(String key, String value) throws IOException {
        Path file = edited(j -> j.set(key, parse(value)));
        assertThatThrownBy(() -> VqConfig.read(file))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(key);
    }

    @Test
    void anAbsentMidBlockAttentionKeyMeansDiffusersDefaultTrue() throws IOException {
        Path file = edited(j -> j.remove("mid_block_add_attention"));
        assertThatThrownBy(() -> VqConfig.read(file))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining("mid_block_add_attention");
    }

    @Test
    void malformedJsonAndWrongTypesNameTheFile() throws IOException {
        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"block_out_channels\": [1, 2");
        assertThatThrownBy(() -> VqConfig.read(broken))
                .isInstanceOf(AmusedException.class).hasMessageContaining(broken.toString());
        Path wrongType = edited(j -> j.put("layers_per_block", "two"));
        assertThatThrownBy(() -> VqConfig.read(wrongType))
                .isInstanceOf(AmusedException.class).hasMessageContaining(wrongType.toString());
        Path missing = tmp.resolve("absent/config.json");
        assertThatThrownBy(() -> VqConfig.read(missing))
                .isInstanceOf(AmusedException.class).hasMessageContaining(missing.toString());
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
