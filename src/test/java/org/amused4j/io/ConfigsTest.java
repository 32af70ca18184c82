package org.amused4j.io;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.amused4j.golden.Golden;
import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The config-record convention of {@link Configs}, shown on a record like the ones the model packages write. */
class ConfigsTest {
    /** Required: hidden_size, block_out_channels, vq_embed_dim (may be null). Optional: eps (1e-6), act_fn ("silu"). */
    record ExampleConfig(
            @JsonProperty(value = "hidden_size", required = true) int hiddenSize,
            @JsonProperty(value = "block_out_channels", required = true) List<Integer> blockOutChannels,
            @JsonProperty(value = "vq_embed_dim", required = true) Integer vqEmbedDim,
            @JsonProperty("layer_norm_eps") Double eps,
            @JsonProperty("act_fn") String actFn) {
        ExampleConfig {
            if (eps == null) {
                eps = 1e-6;
            }
            if (actFn == null) {
                actFn = "silu";
            }
            if (hiddenSize <= 0) {
                throw new IllegalArgumentException("hidden_size must be positive, found " + hiddenSize);
            }
        }
    }

    record SchedulerConfig(@JsonProperty(value = "mask_token_id", required = true) int maskTokenId,
                           @JsonProperty("masking_schedule") String maskingSchedule) {
    }

    @TempDir
    Path dir;

    private Path json(String text) throws IOException {
        return Files.writeString(dir.resolve("config.json"), text);
    }

    @Test
    void readsRequiredKeysFillsDefaultsAndIgnoresUnknownKeys() throws IOException {
        ExampleConfig c = Configs.read(json("""
                {"_class_name": "X", "hidden_size": 48, "block_out_channels": [16, 32], "vq_embed_dim": null,
                 "something_new": {"nested": true}}"""), ExampleConfig.class);
        assertThat(c).isEqualTo(new ExampleConfig(48, List.of(16, 32), null, 1e-6, "silu"));

        ExampleConfig explicit = Configs.read(json("""
                {"hidden_size": 8, "block_out_channels": [], "vq_embed_dim": 12, "layer_norm_eps": 1e-5,
                 "act_fn": "gelu"}"""), ExampleConfig.class);
        assertThat(explicit.eps()).isEqualTo(1e-5);
        assertThat(explicit.actFn()).isEqualTo("gelu");
        assertThat(explicit.vqEmbedDim()).isEqualTo(12);
    }

    @Test
    void missingRequiredKeyNamesFileAndKey() throws IOException {
        Path f = json("{\"hidden_size\": 48, \"vq_embed_dim\": 3}");
        assertThatThrownBy(() -> Configs.read(f, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessage(f + ": missing required key 'block_out_channels'");
    }

    @Test
    void wrongTypesAndNullPrimitivesNameTheKey() throws IOException {
        Path text = json("{\"hidden_size\": \"big\", \"block_out_channels\": [1], \"vq_embed_dim\": 3}");
        assertThatThrownBy(() -> Configs.read(text, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(text.toString(), "key 'hidden_size'");
        Path nested = json("{\"hidden_size\": 4, \"block_out_channels\": [1, \"x\"], \"vq_embed_dim\": 3}");
        assertThatThrownBy(() -> Configs.read(nested, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(nested.toString(), "key 'block_out_channels[1]'");
        Path nullInt = json("{\"hidden_size\": null, \"block_out_channels\": [1], \"vq_embed_dim\": 3}");
        assertThatThrownBy(() -> Configs.read(nullInt, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessage(nullInt + ": key 'hidden_size' is null, expected a number");
    }

    @Test
    void constructorValidationIsReportedWithTheFile() throws IOException {
        Path f = json("{\"hidden_size\": -1, \"block_out_channels\": [1], \"vq_embed_dim\": 3}");
        assertThatThrownBy(() -> Configs.read(f, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessage(f + ": hidden_size must be positive, found -1");
    }

    @Test
    void malformedMissingOrNonObjectFiles() throws IOException {
        Path broken = json("{\"hidden_size\": 4,");
        assertThatThrownBy(() -> Configs.read(broken, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(broken.toString(), "malformed JSON", "line 1");
        Path trailing = json("{\"hidden_size\": 4} {}");
        assertThatThrownBy(() -> Configs.read(trailing, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(trailing.toString(), "malformed JSON");
        Path array = json("[1]");
        assertThatThrownBy(() -> Configs.read(array, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessage(array + ": expected a JSON object");
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> Configs.read(missing, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessage(missing + ": no such file");
        assertThatThrownBy(() -> Configs.read(dir, ExampleConfig.class)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(dir.toString(), "is a directory");
    }

    @Test
    void readsTheGoldenSchedulerConfigs() {
        for (String model : List.of("tiny-amused-256", "tiny-amused-512")) {
            ModelFolder folder = ModelFolder.open(Golden.dir().resolve("models").resolve(model));
            SchedulerConfig c = Configs.read(folder.configPath(ModelFolder.SCHEDULER), SchedulerConfig.class);
            assertThat(c.maskTokenId()).isPositive();
            assertThat(c.maskingSchedule()).isNotBlank();
        }
    }
}
