package org.amused4j.uvit;

import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UVit2DConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheRealConfigsWithTheirSpecValues() {
        UVit2DConfig c256 = FullSizeModels.config("amused-256");
        UVit2DConfig c512 = FullSizeModels.config("amused-512");

        assertThat(c256.hiddenSize()).isEqualTo(1024);
        assertThat(c256.numHiddenLayers()).isEqualTo(22);
        assertThat(c256.blockOutChannels()).isEqualTo(768);
        assertThat(c256.layerNormEps()).isEqualTo(1e-6);
        assertThat(c256.microCondCount()).isEqualTo(5);
        assertThat(c256.downsample()).isFalse();
        assertThat(c512.downsample()).isTrue();
        assertThat(c512.upsample()).isTrue();
        assertThat(c512.sampleSize()).isEqualTo(32);
        assertThat(c512).isEqualTo(new UVit2DConfig(1024, false, 768, 256, 1280, 768, 8256, 8192, 768, 768, 3,
                true, true, 12, 22, 16, 2816, 1e-6, true, 32));
    }

    @Test
    void ignoresUnknownKeys() throws IOException {
        Path file = write(realConfigText().replace("{", "{\"some_future_key\": [1, 2],"));

        assertThat(UVit2DConfig.read(file)).isEqualTo(FullSizeModels.config("amused-512"));
    }

    @Test
    void aMissingKeyIsReportedWithFileAndKey() throws IOException {
        Path file = write(realConfigText().replaceAll("\"num_res_blocks\"\\s*:\\s*3\\s*,", ""));

        assertThatThrownBy(() -> UVit2DConfig.read(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'num_res_blocks'");
    }

    @Test
    void aListWhereAnIntBelongsIsReportedWithTheKey() throws IOException {
        Path file = write(realConfigText().replaceAll("\"block_out_channels\"\\s*:\\s*768", "\"block_out_channels\": [768]"));

        assertThatThrownBy(() -> UVit2DConfig.read(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'block_out_channels'").hasMessageContaining("int");
    }

    @Test
    void inconsistentValuesAreRejectedNamingTheFile() throws IOException {
        Path file = write(realConfigText().replaceAll("\"micro_cond_embed_dim\"\\s*:\\s*1280", "\"micro_cond_embed_dim\": 1000"));

        assertThatThrownBy(() -> UVit2DConfig.read(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("micro_cond_embed_dim");
    }

    @Test
    void brokenJsonIsReportedWithTheFile() throws IOException {
        Path file = write("{\"hidden_size\": ");

        assertThatThrownBy(() -> UVit2DConfig.read(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(file.toString());
    }

    private static String realConfigText() throws IOException {
        try (var in = UVit2DConfigTest.class.getResourceAsStream("amused-512-transformer-config.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private Path write(String json) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return file;
    }
}
