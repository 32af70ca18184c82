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

/** Every kind of broken file gives an AmusedException that names the file and the problem. */
class SafeTensorsMalformedTest {
    private static final String ONE_F32 = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @TempDir
    Path dir;

    /** A file with the given 8-byte length field, header text and data section. */
    private Path file(long headerLength, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(json);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private Path entry(String entryJson, int dataBytes) throws IOException {
        return file("{\"t\":" + entryJson + "}", dataBytes);
    }

    private static void assertRejected(Path f, String... fragments) {
        assertThatThrownBy(() -> SafeTensors.open(f).close())
                .isInstanceOf(AmusedException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContainingAll(fragments);
    }

    @Test
    void aValidMinimalFileOpens() throws IOException {
        try (SafeTensors st = SafeTensors.open(file(ONE_F32, 8))) {
            assertThat(st.names()).containsExactly("a");
        }
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertRejected(f, "3 bytes", "truncated");
        Files.write(f, new byte[0]);
        assertRejected(f, "0 bytes");
    }

    @Test
    void dataShorterThanTheOffsets() throws IOException {
        assertRejected(file(ONE_F32, 5), "tensor 'a'", "[0, 8]", "5-byte data section", "truncated");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        assertRejected(file(4000, ONE_F32, 8), "header length 4000", "past the end");
    }

    @Test
    void absurdHeaderLengths() throws IOException {
        assertRejected(file(SafeTensors.MAX_HEADER_BYTES + 1, ONE_F32, 8), "exceeds the limit");
        assertRejected(file(-1L, ONE_F32, 8), "18446744073709551615", "exceeds the limit");
        assertRejected(file(Long.MIN_VALUE, ONE_F32, 8), "9223372036854775808", "exceeds the limit");
        assertRejected(file(0, ONE_F32, 8), "header length 0", "too short");
    }

    @Test
    void malformedJson() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":", 0), "not valid JSON");
        assertRejected(file(ONE_F32 + "xyz", 8), "not valid JSON");
        assertRejected(file("{\"a\":1,\"a\":2}", 0), "not valid JSON", "Duplicate");
    }

    @Test
    void headerNotUtf8() throws IOException {
        Path f = dir.resolve("latin1.safetensors");
        byte[] header = "{\"caf\u00e9\":{}}".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(f, ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).array());
        assertRejected(f, "not valid UTF-8");
    }

    @Test
    void headerNotAnObject() throws IOException {
        assertRejected(file("[1,2,3]", 0), "not a JSON object");
        assertRejected(file("        ", 0), "not a JSON object");
        assertRejected(file("{\"__metadata__\":[1]}", 0), "__metadata__", "not a JSON object");
        assertRejected(file("{\"__metadata__\":{\"k\":3}}", 0), "__metadata__", "'k'", "not a string");
    }

    @Test
    void entryNotAnObjectOrMissingFields() throws IOException {
        assertRejected(entry("5", 0), "tensor 't'", "not a JSON object");
        assertRejected(entry("{\"shape\":[1],\"data_offsets\":[0,4]}", 4), "tensor 't'", "missing 'dtype'");
        assertRejected(entry("{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", 4), "tensor 't'", "missing 'shape'");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[1]}", 4), "tensor 't'", "missing 'data_offsets'");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}", 4), "two integers");
        assertRejected(entry("{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}", 4), "'dtype' is not a string");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":3,\"data_offsets\":[0,4]}", 4), "'shape' is not an array");
    }

    @Test
    void invalidShapes() throws IOException {
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}", 4), "invalid dimension -1");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}", 4), "invalid dimension 1.5");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}", 4), "invalid dimension");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,4]}", 4),
                "invalid dimension");
        assertRejected(entry("{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],"
                + "\"data_offsets\":[0,4]}", 4), "too large");
    }

    @Test
    void offsetsOutOfBoundsNegativeInvertedOrNotIntegers() throws IOException {
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}", 4), "[4, 8]", "run past");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}", 4), "negative or inverted");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}", 4), "negative or inverted");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0.0,4.5]}", 8), "not two integers");
        assertRejected(entry("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}", 8),
                "not two integers");
    }

    @Test
    void overlappingOffsets() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "'a'", "'b'", "overlap");
        // A big tensor containing two small ones: the overlap is with the big one, not the adjacent small one.
        assertRejected(file("{\"big\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 16), "'big'", "'y'", "overlap");
    }

    @Test
    void emptyTensorsMayShareAnOffset() throws IOException {
        try (SafeTensors st = SafeTensors.open(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4))) {
            assertThat(st.load("a").size()).isZero();
        }
    }

    @Test
    void unknownDtype() throws IOException {
        assertRejected(entry("{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}", 1),
                "tensor 't'", "unsupported dtype 'F8_E4M3'");
        assertRejected(entry("{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}", 4), "unsupported dtype 'f32'");
    }

    @Test
    void byteSizeNotMatchingDtypeTimesShape() throws IOException {
        assertRejected(entry("{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}", 8),
                "tensor 't'", "occupies 8 bytes", "F16 x [3] needs 6");
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> SafeTensors.open(f)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("no such file");
    }

    @Test
    void directoryInsteadOfFile() {
        assertThatThrownBy(() -> SafeTensors.open(dir)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("is a directory");
    }

    @Test
    void wrongKindOfLoadNamesTensorAndDtype() throws IOException {
        try (SafeTensors st = SafeTensors.open(file(ONE_F32, 8))) {
            assertThatThrownBy(() -> st.loadLongs("a")).isInstanceOf(AmusedException.class)
                    .hasMessageContainingAll("'a'", "F32", "integer");
            assertThatThrownBy(() -> st.load("zz")).isInstanceOf(AmusedException.class)
                    .hasMessageContaining("no tensor named 'zz'");
        }
    }
}
