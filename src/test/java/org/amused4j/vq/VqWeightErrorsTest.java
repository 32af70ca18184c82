package org.amused4j.vq;

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

/** A model folder whose weights do not fit its config fails with a message naming the tensor and the shapes. */
class VqWeightErrorsTest {
    private static final String CODEBOOK = "quantize.embedding.weight";

    @TempDir
    Path folder;
    private ModelCopy copy;

    @BeforeEach
    void copyTheFirstGoldenVq() {
        copy = ModelCopy.of(Golden.cases("vq").getFirst().model(), VqModel.WEIGHTS_FILE, folder);
    }

    @Test
    void anUnchangedCopyLoads() {
        Map<String, Tensor> tensors = copy.tensors();
        VqModel vq = VqModel.load(copy.write());
        assertThat(vq.quantizer().codes()).isEqualTo(tensors.get(CODEBOOK).dim(0));
    }

    @Test
    void aMissingTensorIsNamedWithItsExpectedShape() {
        Map<String, Tensor> tensors = copy.tensors();
        String shortcut = tensors.keySet().stream().filter(n -> n.endsWith("conv_shortcut.weight")).findFirst()
                .orElseThrow();
        int[] shape = tensors.remove(shortcut).shape();
        Path dir = copy.write();
        assertThatThrownBy(() -> VqModel.load(dir))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining(shortcut)
                .hasMessageContaining("missing")
                .hasMessageContaining(Arrays.toString(shape));
    }

    @Test
    void aMisShapedTensorIsNamedWithExpectedAndFoundShape() {
        Map<String, Tensor> tensors = copy.tensors();
        Tensor codebook = tensors.get(CODEBOOK);
        int codes = codebook.dim(0), dim = codebook.dim(1);
        tensors.put(CODEBOOK, codebook.reshape(dim, codes));
        Path dir = copy.write();
        assertThatThrownBy(() -> VqModel.load(dir))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining(CODEBOOK)
                .hasMessageContaining("[" + codes + ", " + dim + "]")
                .hasMessageContaining("[" + dim + ", " + codes + "]");
    }

    @Test
    void anExtraTensorIsReported() {
        String extra = "encoder.mid_block.attentions.0.to_q.weight";
        copy.tensors().put(extra, Tensor.zeros(32, 32));
        Path dir = copy.write();
        assertThatThrownBy(() -> VqModel.load(dir))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining(extra);
    }
}
