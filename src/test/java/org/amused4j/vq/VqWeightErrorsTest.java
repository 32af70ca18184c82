package org.amused4j.vq;

import org.amused4j.golden.Golden;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model folder whose weights do not fit its config fails with a message naming the tensor and the shapes. */
class VqWeightErrorsTest {
    private static final String SHORTCUT = "decoder.up_blocks.2.resnets.0.conv_shortcut.weight";

    @TempDir
    Path copy;

    private Map<String, Tensor> original;

    @BeforeEach
    void readTinyModel() throws IOException {
        Path model = Golden.dir().resolve("models/tiny-amused-256/vqvae");
        Files.copy(model.resolve("config.json"), copy.resolve("config.json"));
        original = new LinkedHashMap<>();
        try (SafeTensors file = SafeTensors.open(model.resolve(VqModel.WEIGHTS_FILE))) {
            for (String name : file.names()) {
                original.put(name, file.load(name));
            }
        }
    }

    private Path withTensors(Consumer<Map<String, Tensor>> edit) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>(original);
        edit.accept(tensors);
        SafeTensorsTestWriter.writeF32(copy.resolve(VqModel.WEIGHTS_FILE), tensors);
        return copy;
    }

    @Test
    void anUnchangedCopyLoads() throws IOException {
        VqModel vq = VqModel.load(withTensors(t -> { }));
        assertThat(vq.quantizer().codes()).isEqualTo(64);
    }

    @Test
    void aMissingTensorIsNamedWithItsExpectedShape() throws IOException {
        Path dir = withTensors(t -> t.remove(SHORTCUT));
        assertThatThrownBy(() -> VqModel.load(dir))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining(SHORTCUT)
                .hasMessageContaining("missing")
                .hasMessageContaining("[16, 32, 1, 1]");
    }

    @Test
    void aMisShapedTensorIsNamedWithExpectedAndFoundShape() throws IOException {
        Path dir = withTensors(t -> t.put("quantize.embedding.weight",
                t.get("quantize.embedding.weight").reshape(12, 64)));
        assertThatThrownBy(() -> VqModel.load(dir))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining("quantize.embedding.weight")
                .hasMessageContaining("[64, 12]")
                .hasMessageContaining("[12, 64]");
    }

    @Test
    void anExtraTensorIsReported() throws IOException {
        String extra = "encoder.mid_block.attentions.0.to_q.weight";
        Path dir = withTensors(t -> t.put(extra, Tensor.zeros(32, 32)));
        assertThatThrownBy(() -> VqModel.load(dir))
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining(extra);
    }
}
