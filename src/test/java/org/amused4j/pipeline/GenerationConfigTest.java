package org.amused4j.pipeline;

import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model folder's optional generation_config.json sets the guidance its generations default to. */
class GenerationConfigTest {
    @Test
    void withoutTheFileTheDiffusersDefaultHolds(@TempDir Path dir) {
        assertThat(AmusedModel.defaultGuidance(dir.resolve(AmusedModel.GENERATION_CONFIG))).isEqualTo(10f);
    }

    @Test
    void theFileSetsTheGuidance(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve(AmusedModel.GENERATION_CONFIG), "{\"guidance_scale\": 1.5}");
        assertThat(AmusedModel.defaultGuidance(file)).isEqualTo(1.5f);
        Files.writeString(file, "{\"other\": 1}");
        assertThat(AmusedModel.defaultGuidance(file)).isEqualTo(10f);
    }

    @Test
    void aBrokenFileIsAClearError(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve(AmusedModel.GENERATION_CONFIG), "{\"guidance_scale\": \"high\"}");
        assertThatThrownBy(() -> AmusedModel.defaultGuidance(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining("guidance_scale must be a number");
        Files.writeString(file, "{not json");
        assertThatThrownBy(() -> AmusedModel.defaultGuidance(file)).isInstanceOf(AmusedException.class)
                .hasMessageContaining("not a readable JSON file");
    }

    @Test
    void theBuiltInModelGeneratesWithoutGuidance() {
        Path folder = EmbeddedModel.locate().orElseThrow();
        assertThat(AmusedModel.defaultGuidance(folder.resolve(AmusedModel.GENERATION_CONFIG))).isEqualTo(1f);
    }
}
