package org.amused4j.io;

import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding of each dtype from hand-made little-endian bytes (independent of the writer). */
class SafeTensorsLoadTest {
    @TempDir
    Path dir;

    /** A one-tensor file whose data section is {@code data}. */
    private Path single(String dtype, String shape, byte[] data) throws IOException {
        String header = "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[0,"
                + data.length + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data);
        Path f = dir.resolve(dtype + ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void f32() throws IOException {
        byte[] d = le(12).putFloat(1.5f).putFloat(-0f).putFloat(Float.MAX_VALUE).array();
        try (SafeTensors st = SafeTensors.open(single("F32", "[3]", d))) {
            assertThat(st.load("t").data()).containsExactly(1.5f, -0f, Float.MAX_VALUE);
        }
    }

    @Test
    void f16WidensExactlyIncludingSubnormalsAndInfinity() throws IOException {
        // 0x3C00 = 1, 0xC000 = -2, 0x0001 = 2^-24 (smallest subnormal), 0x7C00 = +inf, 0x7BFF = 65504
        byte[] d = le(10).putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001)
                .putShort((short) 0x7C00).putShort((short) 0x7BFF).array();
        try (SafeTensors st = SafeTensors.open(single("F16", "[5]", d))) {
            assertThat(st.load("t").data()).containsExactly(1f, -2f, (float) Math.pow(2, -24),
                    Float.POSITIVE_INFINITY, 65504f);
        }
    }

    @Test
    void bf16WidensToTheUpperHalfOfAFloat() throws IOException {
        // 0x3F80 = 1, 0xC040 = -3, 0x3F81 = 1 + 2^-7
        byte[] d = le(6).putShort((short) 0x3F80).putShort((short) 0xC040).putShort((short) 0x3F81).array();
        try (SafeTensors st = SafeTensors.open(single("BF16", "[3,1]", d))) {
            assertThat(st.load("t").shape()).containsExactly(3, 1);
            assertThat(st.load("t").data()).containsExactly(1f, -3f, 1 + (float) Math.pow(2, -7));
        }
    }

    @Test
    void f64NarrowsToFloat() throws IOException {
        byte[] d = le(16).putDouble(0.1).putDouble(-1e300).array();
        try (SafeTensors st = SafeTensors.open(single("F64", "[2]", d))) {
            assertThat(st.load("t").data()).containsExactly(0.1f, Float.NEGATIVE_INFINITY);
        }
    }

    @Test
    void integerTypes() throws IOException {
        try (SafeTensors st = SafeTensors.open(single("I64", "[2]", le(16).putLong(-7).putLong(1L << 40).array()))) {
            assertThat(st.loadLongs("t")).containsExactly(-7, 1L << 40);
            assertThatThrownBy(() -> st.loadInts("t")).isInstanceOf(AmusedException.class)
                    .hasMessageContaining("'t'").hasMessageContaining("does not fit in an int");
            assertThatThrownBy(() -> st.load("t")).isInstanceOf(AmusedException.class)
                    .hasMessageContaining("I64").hasMessageContaining("floating-point");
        }
        try (SafeTensors st = SafeTensors.open(single("U8", "[3]", new byte[] {0, 1, (byte) 200}))) {
            assertThat(st.loadInts("t")).containsExactly(0, 1, 200);
        }
        try (SafeTensors st = SafeTensors.open(single("I8", "[2]", new byte[] {-1, 5}))) {
            assertThat(st.loadInts("t")).containsExactly(-1, 5);
        }
        try (SafeTensors st = SafeTensors.open(single("I32", "[1]", le(4).putInt(-123456).array()))) {
            assertThat(st.loadInts("t")).containsExactly(-123456);
        }
        try (SafeTensors st = SafeTensors.open(single("I16", "[1]", le(2).putShort((short) -300).array()))) {
            assertThat(st.loadInts("t")).containsExactly(-300);
        }
        try (SafeTensors st = SafeTensors.open(single("BOOL", "[2]", new byte[] {1, 0}))) {
            assertThat(st.loadInts("t")).containsExactly(1, 0);
        }
    }
}
