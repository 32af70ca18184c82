package org.amused4j.io;

import org.amused4j.golden.Golden;
import org.amused4j.tensor.Half;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The golden fp16/bf16 transformer files hold the float32 weights rounded to nearest even: checks the reader's
 * widening against data written by the reference tools, and that the writer reproduces those files.
 */
@Tag("parity")
class GoldenVariantFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ModelFolder folder = ModelFolder.open(Golden.dir().resolve("models/tiny-amused-256"));

    @Test
    void variantFilesAreTheFloat32WeightsRounded() {
        try (SafeTensors f32 = SafeTensors.open(folder.weights(ModelFolder.TRANSFORMER, null).path());
             SafeTensors f16 = SafeTensors.open(folder.weights(ModelFolder.TRANSFORMER, ModelFolder.FP16).path());
             SafeTensors bf16 = SafeTensors.open(folder.weights(ModelFolder.TRANSFORMER, ModelFolder.BF16).path())) {
            assertThat(f16.names()).containsExactlyInAnyOrderElementsOf(f32.names());
            assertThat(bf16.names()).containsExactlyInAnyOrderElementsOf(f32.names());
            for (String name : f32.names()) {
                float[] full = f32.load(name).data();
                float[] half = f16.load(name).data();
                float[] brain = bf16.load(name).data();
                for (int i = 0; i < full.length; i++) {
                    assertThat(half[i]).as("%s[%d] fp16", name, i).isEqualTo(Half.f16ToFloat(Half.floatToF16(full[i])));
                    assertThat(brain[i]).as("%s[%d] bf16", name, i)
                            .isEqualTo(Half.bf16ToFloat(Half.floatToBf16(full[i])));
                }
            }
        }
    }

    @Test
    void writerReproducesTheReferenceFiles() throws IOException {
        SafeTensorsWriter asF32 = new SafeTensorsWriter();
        SafeTensorsWriter asF16 = new SafeTensorsWriter();
        SafeTensorsWriter asBf16 = new SafeTensorsWriter();
        Path source = folder.weights(ModelFolder.TRANSFORMER, null).path();
        try (SafeTensors f32 = SafeTensors.open(source)) {
            f32.metadata().forEach((k, v) -> {
                asF32.metadata(k, v);
                asF16.metadata(k, v);
                asBf16.metadata(k, v);
            });
            for (String name : f32.names()) {
                Tensor t = f32.load(name);
                asF32.f32(name, t);
                asF16.f16(name, t);
                asBf16.bf16(name, t);
            }
        }
        List<Object[]> pairs = List.of(new Object[] {asF32, null}, new Object[] {asF16, ModelFolder.FP16},
                new Object[] {asBf16, ModelFolder.BF16});
        for (Object[] pair : pairs) {
            Path reference = folder.weights(ModelFolder.TRANSFORMER, (String) pair[1]).path();
            byte[] expected = Files.readAllBytes(reference);
            byte[] actual = ((SafeTensorsWriter) pair[0]).toBytes();
            // The reference writer puts __metadata__ last, ours first (like the Rust safetensors library):
            // the header must say the same thing in as many bytes, and the data must match exactly.
            int headerEnd = 8 + (int) ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertThat(actual).as(reference.toString()).hasSameSizeAs(expected);
            assertThat(Arrays.copyOf(actual, 8)).isEqualTo(Arrays.copyOf(expected, 8));
            assertThat(JSON.readTree(Arrays.copyOfRange(actual, 8, headerEnd)))
                    .isEqualTo(JSON.readTree(Arrays.copyOfRange(expected, 8, headerEnd)));
            assertThat(Arrays.equals(actual, headerEnd, actual.length, expected, headerEnd, expected.length))
                    .as("data section of %s", reference).isTrue();
        }
    }
}
