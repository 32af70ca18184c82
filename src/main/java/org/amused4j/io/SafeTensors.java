package org.amused4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Half;
import org.amused4j.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file. The header is validated when the file is opened, so every later
 * read stays inside the file; problems are reported as {@link AmusedException}s naming the file.
 */
public final class SafeTensors implements AutoCloseable {
    /** Headers larger than this are refused (the real amused headers are about 55 KB). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
                        Map<String, String> metadata) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafeTensors open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment all = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            if (size < 8) {
                throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length (truncated?)");
            }
            long headerLen = all.get(LONG_LE, 0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw bad(file, "header length " + Long.toUnsignedString(headerLen) + " is not plausible (limit "
                        + MAX_HEADER_BYTES + " bytes)");
            }
            if (8 + headerLen > size) {
                throw bad(file, "header length " + headerLen + " runs past the end of the " + size
                        + "-byte file (truncated?)");
            }
            byte[] headerBytes = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(8 + headerLen);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(file, headerBytes, data.byteSize(), metadata);
            return new SafeTensors(file, arena, data, tensors, metadata);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new AmusedException(file + ": no such file");
        } catch (IOException e) {
            arena.close();
            throw new AmusedException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path file, byte[] headerBytes, long dataSize,
                                                       Map<String, String> metadata) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw bad(file, "header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (v.isObject()) {
                    v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                }
                continue;
            }
            tensors.put(name, parseEntry(file, name, v, dataSize));
        }
        checkOverlaps(file, tensors);
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode v, long dataSize) {
        if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
                || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
            throw bad(file, "tensor '" + name + "' needs dtype, shape and two data_offsets");
        }
        String dtypeName = v.get("dtype").asText();
        DType dtype = DType.parse(dtypeName);
        if (dtype == null) {
            throw bad(file, "tensor '" + name + "' has unknown dtype " + dtypeName);
        }
        JsonNode shapeNode = v.get("shape");
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToInt() || d.asInt() < 0) {
                throw bad(file, "tensor '" + name + "' has an invalid dimension " + d);
            }
            shape[i] = d.asInt();
            numel = Math.multiplyExact(numel, shape[i]);
        }
        JsonNode off = v.get("data_offsets");
        if (!off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw bad(file, "tensor '" + name + "' has non-integer data_offsets");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                    + "] fall outside the " + dataSize + "-byte data section (truncated?)");
        }
        long expected = numel * dtype.bytes();
        if (end - begin != expected) {
            throw bad(file, "tensor '" + name + "' occupies " + (end - begin) + " bytes but " + dtype + " x "
                    + java.util.Arrays.toString(shape) + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkOverlaps(Path file, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end() && cur.end() > cur.begin()) {
                throw bad(file, "tensors '" + prev.name() + "' and '" + cur.name() + "' overlap in the data section");
            }
        }
    }

    private static AmusedException bad(Path file, String problem) {
        return new AmusedException(file + ": not a valid safetensors file: " + problem);
    }

    public Path file() {
        return file;
    }

    /** Tensor names in header order. */
    public java.util.Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new AmusedException(file + ": no tensor named '" + name + "'");
        }
        return info;
    }

    /** The raw little-endian bytes of a tensor, still mapped (valid until {@link #close}). */
    public MemorySegment segment(String name) {
        TensorInfo info = info(name);
        return data.asSlice(info.begin(), info.end() - info.begin());
    }

    /** A floating-point tensor widened to float32 (F64 narrowed). */
    public Tensor load(String name) {
        TensorInfo info = info(name);
        if (info.numel() > Integer.MAX_VALUE - 8) {
            throw new AmusedException(file + ": tensor '" + name + "' is too large for one array");
        }
        int n = (int) info.numel();
        MemorySegment seg = segment(name);
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> MemorySegment.copy(seg, FLOAT_LE, 0, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Half.f16ToFloat(seg.getAtIndex(SHORT_LE, i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Half.bf16ToFloat(seg.getAtIndex(SHORT_LE, i));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) seg.getAtIndex(DOUBLE_LE, i);
                }
            }
            default -> throw new AmusedException(file + ": tensor '" + name + "' has dtype " + info.dtype()
                    + ", expected a floating-point type");
        }
        return Tensor.of(out, info.shape());
    }

    /** An integer (or bool) tensor as longs. */
    public long[] loadLongs(String name) {
        TensorInfo info = info(name);
        int n = (int) info.numel();
        MemorySegment seg = segment(name);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (info.dtype()) {
                case I64 -> seg.getAtIndex(LONG_LE, i);
                case I32 -> seg.getAtIndex(INT_LE, i);
                case I16 -> seg.getAtIndex(SHORT_LE, i);
                case I8 -> seg.get(ValueLayout.JAVA_BYTE, i);
                case U8, BOOL -> seg.get(ValueLayout.JAVA_BYTE, i) & 0xff;
                default -> throw new AmusedException(file + ": tensor '" + name + "' has dtype " + info.dtype()
                        + ", expected an integer type");
            };
        }
        return out;
    }

    /** An integer tensor as ints (token ids, indices). */
    public int[] loadInts(String name) {
        long[] longs = loadLongs(name);
        int[] out = new int[longs.length];
        for (int i = 0; i < longs.length; i++) {
            out[i] = Math.toIntExact(longs[i]);
        }
        return out;
    }

    @Override
    public void close() {
        arena.close();
    }
}
