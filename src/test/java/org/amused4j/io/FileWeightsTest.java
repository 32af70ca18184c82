package org.amused4j.io;

import org.amused4j.nn.Linear;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.FloatWeight;
import org.amused4j.tensor.HalfWeight;
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
    void mappedFilesServeHalfMatricesFromTheMappingAndKeepItAfterClose() {
        Path halves = dir.resolve("h.safetensors");
        new SafeTensorsWriter()
                .f16("a.weight", Tensor.of(WEIGHT.clone(), 2, 3))
                .bf16("b.weight", Tensor.of(WEIGHT.clone(), 3, 2))
                .f32("c.weight", Tensor.of(WEIGHT.clone(), 2, 3))
                .write(halves);
        FileWeights w = FileWeights.openMapped(halves);
        var f16 = w.matrix("a.weight", 2, 3);
        var bf16 = w.prefixed("b").matrix("weight", 3, 2);
        var f32 = w.matrix("c.weight", 2, 3);
        w.close();
        assertThat(f16).isInstanceOf(HalfWeight.class);
        assertThat(bf16).isInstanceOf(HalfWeight.class);
        assertThat(f32).isInstanceOf(FloatWeight.class);
        assertThat(f16.toFloat32().data()).containsExactly(WEIGHT);
        assertThat(bf16.toFloat32().data()).containsExactly(WEIGHT);
        assertThatThrownBy(() -> FileWeights.openMapped(halves).matrix("a.weight", 3, 2))
                .isInstanceOf(AmusedException.class).hasMessageContaining("[2, 3]");
    }

    @Test
    void filesOpenedPlainlyWidenHalfMatricesAtLoad() {
        try (FileWeights w = FileWeights.open(file)) {
            assertThat(w.matrix("proj.bias", 2)).isInstanceOf(FloatWeight.class);
        }
    }

    @Test
    void linearFromAMappedHalfWeightMatchesTheWidenedOneAndWidensOnceForTraining() {
        Path halves = dir.resolve("lin.safetensors");
        new SafeTensorsWriter().f16("weight", Tensor.of(WEIGHT.clone(), 2, 3)).write(halves);
        Tensor x = Tensor.of(new float[] {1, -2, 0.5f, 3, 1, -1}, 2, 3);
        Linear mapped = new Linear(FileWeights.openMapped(halves), 3, 2, false);
        Linear widened;
        try (FileWeights plain = FileWeights.open(halves)) {
            widened = new Linear(plain, 3, 2, false);
        }
        assertThat(mapped.forward(x).data()).containsExactly(widened.forward(x).data());
        Tensor live = mapped.weight();
        assertThat(mapped.weight()).isSameAs(live);
        live.data()[0] = 0;
        assertThat(mapped.forward(x).data()[0]).isEqualTo(-2 * 2 + 0.5f * 3);
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
