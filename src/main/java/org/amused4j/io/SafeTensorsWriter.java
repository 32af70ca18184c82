package org.amused4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Half;
import org.amused4j.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Builds a safetensors file from named tensors and writes it atomically.
 *
 * <p>The output depends only on the tensors and metadata added, not on the order they were added in:
 * the header lists {@code __metadata__} first and then the tensors sorted by name, the data section holds
 * the tensors contiguously in the same order, and the header JSON is padded with spaces to a multiple of
 * 8 bytes so the data starts 8-byte aligned. Tensors are encoded when the file is written, so the arrays
 * handed in must not change until then.
 */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_BYTES = 1 << 20;

    /**
     * One tensor to write: its dtype, shape, and how to encode its elements, obtained only when the tensor's turn
     * comes (so values made on demand live one tensor at a time).
     */
    private record Entry(DType dtype, int[] shape, Supplier<ElementWriter> elements) {
        long byteSize() {
            return Tensor.numel(shape) * dtype.bytes();
        }
    }

    @FunctionalInterface
    private interface ElementWriter {
        void put(ByteBuffer out, int index);
    }

    private final Map<String, Entry> tensors = new TreeMap<>();
    private final Map<String, String> metadata = new TreeMap<>();

    /** Adds a tensor stored as F32. */
    public SafeTensorsWriter f32(String name, Tensor t) {
        float[] d = t.data();
        return add(name, DType.F32, t.shape(), d.length, () -> (out, i) -> out.putFloat(d[i]));
    }

    /** Adds a tensor rounded to IEEE half precision (round-to-nearest-even). */
    public SafeTensorsWriter f16(String name, Tensor t) {
        return add(name, DType.F16, t.shape(), t.data().length, () -> halves(t));
    }

    /**
     * Adds a tensor rounded to IEEE half precision whose values are made only when the file is written, and
     * dropped after: a model's worth of float32 values never has to be in memory at once.
     */
    public SafeTensorsWriter f16(String name, int[] shape, Supplier<Tensor> values) {
        return add(name, DType.F16, shape, Tensor.numel(shape), () -> {
            Tensor t = values.get();
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalStateException("tensor '" + name + "' was announced as " + Arrays.toString(shape)
                        + " but made as " + Arrays.toString(t.shape()));
            }
            return halves(t);
        });
    }

    private static ElementWriter halves(Tensor t) {
        float[] d = t.data();
        return (out, i) -> out.putShort(Half.floatToF16(d[i]));
    }

    /** Adds a tensor rounded to bfloat16 (round-to-nearest-even). */
    public SafeTensorsWriter bf16(String name, Tensor t) {
        float[] d = t.data();
        return add(name, DType.BF16, t.shape(), d.length, () -> (out, i) -> out.putShort(Half.floatToBf16(d[i])));
    }

    /** Adds an I64 tensor (token ids, indices); {@code values} is row-major with the given shape. */
    public SafeTensorsWriter i64(String name, long[] values, int... shape) {
        return add(name, DType.I64, shape, values.length, () -> (out, i) -> out.putLong(values[i]));
    }

    /** Adds a U8 tensor (bytes, booleans as 0/1); {@code values} is row-major with the given shape. */
    public SafeTensorsWriter u8(String name, byte[] values, int... shape) {
        return add(name, DType.U8, shape, values.length, () -> (out, i) -> out.put(values[i]));
    }

    /** Adds an entry to the {@code __metadata__} string map. */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    private SafeTensorsWriter add(String name, DType dtype, int[] shape, long length,
                                  Supplier<ElementWriter> elements) {
        if (name.equals(SafeTensors.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved for the metadata map");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension in "
                        + Arrays.toString(shape));
            }
        }
        if (Tensor.numel(shape) != length) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + length + " values but shape "
                    + Arrays.toString(shape) + " needs " + Tensor.numel(shape));
        }
        tensors.put(name, new Entry(dtype, shape.clone(), elements));
        return this;
    }

    /**
     * Writes the file: first to a temporary file in the same folder, then renamed over {@code file}, so a
     * failure never leaves a half-written file behind (an existing file stays as it was).
     *
     * @throws AmusedException naming the file when it cannot be written
     */
    public void write(Path file) {
        AtomicFiles.write(file, "safetensors file", this::writeTo);
    }

    /** The complete file contents (for small files and tests). */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    private void writeTo(OutputStream out) throws IOException {
        byte[] header = header();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length);
        flush(buf, out);
        out.write(header);
        for (Entry e : tensors.values()) {
            int n = (int) Tensor.numel(e.shape());
            ElementWriter elements = e.elements().get();
            for (int i = 0; i < n; i++) {
                if (buf.remaining() < Long.BYTES) {
                    flush(buf, out);
                }
                elements.put(buf, i);
            }
        }
        flush(buf, out);
    }

    private static void flush(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    /** The header JSON, space-padded to a multiple of 8 bytes. */
    private byte[] header() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafeTensors.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            ObjectNode node = root.putObject(e.getKey());
            node.put("dtype", e.getValue().dtype().name());
            ArrayNode shape = node.putArray("shape");
            Arrays.stream(e.getValue().shape()).forEach(shape::add);
            long end = offset + e.getValue().byteSize();
            node.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        String json;
        try {
            json = JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a tree of strings and numbers", e);
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        int padded = (bytes.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(bytes, padded);
        Arrays.fill(out, bytes.length, padded, (byte) ' ');
        return out;
    }
}
