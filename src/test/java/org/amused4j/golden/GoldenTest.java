package org.amused4j.golden;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Case discovery works on any directory in the golden format, and a missing directory explains itself. */
class GoldenTest {
    @TempDir
    Path dir;
    private String saved;

    @BeforeEach
    void pointAtTempDir() {
        saved = System.getProperty("amused.golden");
        System.setProperty("amused.golden", dir.toString());
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("amused.golden");
        } else {
            System.setProperty("amused.golden", saved);
        }
    }

    @Test
    void casesAreTheSafetensorsFilesWithASidecarOfTheirKind() throws IOException {
        for (String f : new String[] {"vq_a.safetensors", "vq_a.json", "vq_zz9.safetensors", "vq_zz9.json",
                "vq_b_input.png", "vq_nosidecar.safetensors", "training_vq_a.safetensors", "training_vq_a.json",
                "vqx.safetensors", "vqx.json"}) {
            Files.writeString(dir.resolve(f), "{}");
        }
        assertThat(Golden.cases("vq")).extracting(GoldenCase::name).containsExactly("vq_a", "vq_zz9");
        assertThat(Golden.cases("training_vq")).extracting(GoldenCase::name).containsExactly("training_vq_a");
    }

    @Test
    void aMissingDirectoryGivesAReasonNamingItAndTheSettings() {
        System.setProperty("amused.golden", dir.resolve("absent").toString());
        assertThat(Golden.missingReason()).contains(dir.resolve("absent").toString())
                .contains("-Damused.golden").contains("AMUSED_GOLDEN");
    }
}
