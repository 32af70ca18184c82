package org.amused4j.io;

import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileWeightsTest {
    private static final float[] WEIGHT = {1, 2, 3, 4, 5, 6};

    @TempDir
    Path dir;
    private Path file;

    @BeforeEach
    void writeFile() {
        file = dir.resolve("w.safetensors");
        new SafeTensorsWriter()
                .f32("proj.weight", Tensor.of(WEIGHT.clone(), 2, 3))
                .f16("proj.bias", Tensor.of(new float[] {0.5f, -0.25f}, 2))
                .f32("extra.weight", Tensor.of(new float[] {9}, 1))
                .write(file);
    }

    @Test
    void suppliesTensorsWithTheRequestedShapeWidenedToFloat32() {
        try (FileWeights w = FileWeights.open(file)) {
            assertThat(w.get("proj.weight", 2, 3).data()).containsExactly(WEIGHT);
            assertThat(w.prefixed("proj").get("bias", 2).data()).containsExactly(0.5f, -0.25f);
        }
    }

    @Test
    void missingTensorNamesFileTensorAndExpectedShape() {
        try (FileWeights w = FileWeights.open(file)) {
            assertThatThrownBy(() -> w.prefixed("layers.0").get("norm.weight", 16))
                    .isInstanceOf(AmusedException.class)
                    .hasMessage(file + ": missing tensor 'layers.0.norm.weight' (expected shape [16])");
        }
    }

    @Test
    void misShapedTensorNamesTensorExpectedAndFoundShape() {
        try (FileWeights w = FileWeights.open(file)) {
            assertThatThrownBy(() -> w.get("proj.weight", 3, 2)).isInstanceOf(AmusedException.class)
                    .hasMessage(file + ": tensor 'proj.weight' has shape [2, 3], the config expects [3, 2]");
            assertThatThrownBy(() -> w.get("proj.bias", 1, 2)).isInstanceOf(AmusedException.class)
                    .hasMessageContainingAll("'proj.bias'", "[2]", "[1, 2]");
        }
    }

    @Test
    void checkAllUsedRejectsTensorsTheModelNeverAskedFor() {
        try (FileWeights w = FileWeights.open(file)) {
            w.get("proj.weight", 2, 3);
            w.get("proj.bias", 2);
            assertThatThrownBy(w::checkAllUsed).isInstanceOf(AmusedException.class)
                    .hasMessage(file + ": 1 unexpected tensor(s) not used by the model config: extra.weight");
            w.get("extra.weight", 1);
            assertThatCode(w::checkAllUsed).doesNotThrowAnyException();
        }
    }

    @Test
    void aFailedRequestDoesNotCountAsUsed() {
        try (FileWeights w = FileWeights.open(file)) {
            w.get("proj.bias", 2);
            w.get("extra.weight", 1);
            assertThatThrownBy(() -> w.get("proj.weight", 6)).isInstanceOf(AmusedException.class);
            assertThatThrownBy(w::checkAllUsed).hasMessageContaining("proj.weight");
        }
    }

    @Test
    void badFileIsReportedWhenOpening() {
        assertThatThrownBy(() -> FileWeights.open(dir.resolve("none.safetensors")))
                .isInstanceOf(AmusedException.class).hasMessageContaining("no such file");
    }
}
