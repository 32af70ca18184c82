package org.amused4j.io;

import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeTensorsWriterTest {
    @TempDir
    Path dir;

    private static Tensor ramp(int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) Math.sin(i * 0.37) * (i + 1);
        }
        return t;
    }

    private static SafeTensorsWriter sample() {
        return new SafeTensorsWriter()
                .f32("weights.f32", ramp(2, 3))
                .f16("weights.f16", ramp(5))
                .bf16("weights.bf16", ramp(1, 1, 3))
                .i64("ids", new long[] {0, -1, Long.MAX_VALUE, Long.MIN_VALUE}, 2, 2)
                .u8("mask", new byte[] {0, 1, (byte) 255}, 3)
                .f32("scalar", Tensor.of(new float[] {42f}))
                .metadata("format", "pt")
                .metadata("note", "ünïcode \"quoted\"");
    }

    @Test
    void everyDtypeRoundTripsThroughTheReader() {
        Path f = dir.resolve("all.safetensors");
        sample().write(f);
        try (SafeTensors st = SafeTensors.open(f)) {
            assertThat(st.names()).containsExactlyInAnyOrder("weights.f32", "weights.f16", "weights.bf16", "ids",
                    "mask", "scalar");
            assertThat(st.metadata()).isEqualTo(Map.of("format", "pt", "note", "ünïcode \"quoted\""));

            assertThat(st.info("weights.f32").dtype()).isEqualTo(DType.F32);
            assertThat(st.load("weights.f32").shape()).containsExactly(2, 3);
            assertThat(st.load("weights.f32").data()).containsExactly(ramp(2, 3).data());

            float[] f16 = st.load("weights.f16").data();
            float[] f16Expected = ramp(5).data();
            for (int i = 0; i < f16.length; i++) {
                assertThat(f16[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(f16Expected[i])));
            }
            assertThat(st.info("weights.bf16").dtype()).isEqualTo(DType.BF16);
            assertThat(st.load("weights.bf16").shape()).containsExactly(1, 1, 3);

            assertThat(st.loadLongs("ids")).containsExactly(0, -1, Long.MAX_VALUE, Long.MIN_VALUE);
            assertThat(st.info("ids").shape()).containsExactly(2, 2);
            assertThat(st.loadLongs("mask")).containsExactly(0, 1, 255);
            assertThat(st.info("scalar").shape()).isEmpty();
            assertThat(st.load("scalar").data()).containsExactly(42f);
        }
    }

    @Test
    void halfPrecisionRoundsToNearestEven() {
        float ulp16 = (float) Math.pow(2, -10); // spacing of F16 values in [1, 2)
        float ulpBf = (float) Math.pow(2, -7);  // spacing of BF16 values in [1, 2)
        Tensor f16In = Tensor.of(new float[] {1 + ulp16 / 2, 1 + 3 * ulp16 / 2, 1 + ulp16 * 0.51f, 65520f, 1e-8f}, 5);
        Tensor bfIn = Tensor.of(new float[] {1 + ulpBf / 2, 1 + 3 * ulpBf / 2, 1 + ulpBf * 0.51f, Float.NaN, -0f}, 5);
        Path f = dir.resolve("round.safetensors");
        new SafeTensorsWriter().f16("h", f16In).bf16("b", bfIn).write(f);
        try (SafeTensors st = SafeTensors.open(f)) {
            // ties go to the even neighbour; above the tie rounds up; 65520 overflows to infinity; tiny -> 0
            assertThat(st.load("h").data()).containsExactly(1f, 1 + 2 * ulp16, 1 + ulp16, Float.POSITIVE_INFINITY, 0f);
            float[] b = st.load("b").data();
            assertThat(b[0]).isEqualTo(1f);
            assertThat(b[1]).isEqualTo(1 + 2 * ulpBf);
            assertThat(b[2]).isEqualTo(1 + ulpBf);
            assertThat(b[3]).isNaN();
            assertThat(Float.floatToRawIntBits(b[4])).isEqualTo(Float.floatToRawIntBits(-0f));
        }
    }

    @Test
    void headerIsSpacePaddedToAMultipleOf8AndDataIsContiguousInNameOrder() {
        byte[] bytes = sample().toBytes();
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":");
        assertThat(header.stripTrailing()).endsWith("}");
        assertThat(header.length() - header.stripTrailing().length()).isLessThan(8);

        Path f = dir.resolve("layout.safetensors");
        sample().write(f);
        try (SafeTensors st = SafeTensors.open(f)) {
            assertThat(List.copyOf(st.names())).isSorted();
            long expectedBegin = 0;
            for (String name : st.names()) {
                TensorInfo info = st.info(name);
                assertThat(info.begin()).as(name).isEqualTo(expectedBegin);
                expectedBegin = info.end();
            }
            assertThat(8 + n + expectedBegin).isEqualTo(bytes.length);
        }
    }

    @Test
    void outputIsByteIdenticalRunToRunAndIndependentOfInsertionOrder() throws IOException {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        sample().write(a);
        sample().write(b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b)).isEqualTo(sample().toBytes());

        byte[] forward = new SafeTensorsWriter().f32("x", ramp(3)).f32("y", ramp(4)).metadata("k", "v").toBytes();
        byte[] reverse = new SafeTensorsWriter().metadata("k", "v").f32("y", ramp(4)).f32("x", ramp(3)).toBytes();
        assertThat(forward).isEqualTo(reverse);
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("w.safetensors");
        new SafeTensorsWriter().f32("old", ramp(2)).write(f);
        new SafeTensorsWriter().f32("new", ramp(2)).write(f);
        try (SafeTensors st = SafeTensors.open(f)) {
            assertThat(st.names()).containsExactly("new");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("w.safetensors");
        }
    }

    @Test
    void aFailedWriteLeavesNoPartialFile() throws IOException {
        // The rename onto a non-empty folder fails after the data has been written to the temporary file.
        Path target = dir.resolve("occupied");
        Files.createDirectory(target);
        Files.writeString(target.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> sample().write(target)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(target.toString()).hasMessageContaining("cannot write");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("occupied");
        }
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("x");
    }

    @Test
    void missingFolderIsAUserError() {
        Path f = dir.resolve("no/such/folder/x.safetensors");
        assertThatThrownBy(() -> sample().write(f)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void rejectsInconsistentInput() {
        SafeTensorsWriter w = new SafeTensorsWriter().f32("a", ramp(2));
        assertThatThrownBy(() -> w.f32("a", ramp(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a' added twice");
        assertThatThrownBy(() -> w.i64("ids", new long[3], 2, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 values").hasMessageContaining("needs 4");
        assertThatThrownBy(() -> w.u8("__metadata__", new byte[1], 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
