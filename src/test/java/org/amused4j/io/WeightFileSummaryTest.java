package org.amused4j.io;

import org.amused4j.golden.Golden;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightFileSummaryTest {
    @TempDir
    Path dir;

    @Test
    void countsTensorsParametersDtypesAndBytes() {
        Path f = dir.resolve("s.safetensors");
        new SafeTensorsWriter()
                .f32("a", Tensor.zeros(2, 3))
                .f32("b", Tensor.zeros(4))
                .f16("c", Tensor.zeros(5))
                .i64("ids", new long[3], 3)
                .metadata("format", "pt")
                .write(f);
        WeightFileSummary s = WeightFileSummary.of(f);
        assertThat(s.tensorCount()).isEqualTo(4);
        assertThat(s.parameterCount()).isEqualTo(18);
        assertThat(s.tensorsByDtype()).containsExactly(Map.entry(DType.F32, 2), Map.entry(DType.F16, 1),
                Map.entry(DType.I64, 1));
        assertThat(s.parametersByDtype()).containsExactly(Map.entry(DType.F32, 10L), Map.entry(DType.F16, 5L),
                Map.entry(DType.I64, 3L));
        assertThat(s.tensorBytes()).isEqualTo(10 * 4 + 5 * 2 + 3 * 8);
        assertThat(s.metadata()).containsEntry("format", "pt");
        assertThat(s.describe()).startsWith("4 tensors, 18 parameters (F32: 2 tensors, F16: 1 tensor, I64: 1 tensor), ");
    }

    @Test
    void goldenWeightFilesAreFullyAccountedFor() throws IOException {
        for (String model : List.of("tiny-amused-256", "tiny-amused-512")) {
            ModelFolder folder = ModelFolder.open(Golden.dir().resolve("models").resolve(model));
            for (String component : List.of(ModelFolder.TRANSFORMER, ModelFolder.VQVAE, ModelFolder.TEXT_ENCODER)) {
                Path file = folder.weights(component, null).path();
                WeightFileSummary s = WeightFileSummary.of(file);
                // The golden files are contiguous: the tensors fill everything after the length field and header.
                assertThat(s.fileBytes()).as(file.toString()).isEqualTo(Files.size(file));
                assertThat(s.tensorBytes()).as(file.toString()).isEqualTo(s.fileBytes() - 8 - headerLength(file));
                assertThat(s.tensorsByDtype()).containsOnlyKeys(DType.F32);
                assertThat(s.tensorBytes()).isEqualTo(4 * s.parameterCount());
                assertThat(s.tensorCount()).isPositive();
                assertThat(s.describe()).contains(String.format(java.util.Locale.ROOT, "%,d parameters",
                        s.parameterCount()));
            }
        }
    }

    @Test
    void halfPrecisionVariantsHoldTheSameParametersInHalfTheBytes() {
        ModelFolder folder = ModelFolder.open(Golden.dir().resolve("models/tiny-amused-256"));
        WeightFileSummary f32 = WeightFileSummary.of(folder.weights(ModelFolder.TRANSFORMER, null).path());
        for (String variant : List.of(ModelFolder.FP16, ModelFolder.BF16)) {
            WeightFileSummary half = WeightFileSummary.of(folder.weights(ModelFolder.TRANSFORMER, variant).path());
            assertThat(half.tensorCount()).isEqualTo(f32.tensorCount());
            assertThat(half.parameterCount()).isEqualTo(f32.parameterCount());
            assertThat(half.tensorsByDtype()).containsOnlyKeys(variant.equals(ModelFolder.FP16) ? DType.F16 : DType.BF16);
            assertThat(half.tensorBytes() * 2).isEqualTo(f32.tensorBytes());
        }
    }

    @Test
    void humanReadableSizes() {
        assertThat(WeightFileSummary.humanBytes(999)).isEqualTo("999 B");
        assertThat(WeightFileSummary.humanBytes(607_024)).isEqualTo("607.02 kB");
        assertThat(WeightFileSummary.humanBytes(2_433_086_672L)).isEqualTo("2.43 GB");
    }

    @Test
    void invalidFileIsAUserError() throws IOException {
        Path f = Files.write(dir.resolve("x.safetensors"), new byte[4]);
        assertThatThrownBy(() -> WeightFileSummary.of(f)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(f.toString());
    }

    private static long headerLength(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }
}
