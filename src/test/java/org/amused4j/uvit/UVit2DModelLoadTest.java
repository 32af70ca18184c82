package org.amused4j.uvit;

import org.amused4j.golden.Golden;
import org.amused4j.golden.ModelCopy;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading a transformer folder whose files do not fit its config fails with a message naming the problem. */
class UVit2DModelLoadTest {
    private static final String PROBE = "transformer_layers.0.ff.net.0.proj.weight";

    @TempDir
    Path folder;
    private ModelCopy copy;
    private Map<String, Tensor> tensors;

    @BeforeEach
    void copyAGoldenModel() {
        copy = ModelCopy.of(Golden.cases("transformer").getFirst().model(),
                UVit2DModel.WEIGHTS_FILE + ".safetensors", folder);
        tensors = copy.tensors();
        assertThat(tensors).containsKey(PROBE);
        assertThat(tensors.get(PROBE).dim(0)).as("a non-square probe").isNotEqualTo(tensors.get(PROBE).dim(1));
    }

    @Test
    void theUnchangedCopyLoads() {
        copy.write();

        assertThat(UVit2DModel.load(folder).config()).isEqualTo(UVit2DConfig.read(folder.resolve("config.json")));
    }

    @Test
    void aMissingTensorIsNamedWithItsExpectedShape() {
        int[] shape = tensors.remove(PROBE).shape();
        copy.write();

        assertThatThrownBy(() -> UVit2DModel.load(folder)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(PROBE).hasMessageContaining(Arrays.toString(shape));
    }

    @Test
    void aMisShapedTensorIsNamedWithExpectedAndFoundShape() {
        Tensor original = tensors.get(PROBE);
        int rows = original.dim(0), cols = original.dim(1);
        tensors.put(PROBE, original.reshape(cols, rows));
        copy.write();

        assertThatThrownBy(() -> UVit2DModel.load(folder)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(PROBE)
                .hasMessageContaining("[" + cols + ", " + rows + "]")
                .hasMessageContaining("[" + rows + ", " + cols + "]");
    }

    @Test
    void anExtraTensorIsRejected() {
        tensors.put("transformer_layers.0.ff.net.0.proj.bias", Tensor.zeros(tensors.get(PROBE).dim(0)));
        copy.write();

        assertThatThrownBy(() -> UVit2DModel.load(folder)).isInstanceOf(AmusedException.class)
                .hasMessageContaining("transformer_layers.0.ff.net.0.proj.bias");
    }

    @Test
    void aMissingVariantFileIsNamed() {
        copy.write();

        assertThatThrownBy(() -> UVit2DModel.load(folder, "fp16")).isInstanceOf(AmusedException.class)
                .hasMessageContaining(UVit2DModel.WEIGHTS_FILE + ".fp16.safetensors");
    }
}
