package org.amused4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Half;
import org.amused4j.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped safetensors file. The header is validated when the file is opened, so every later
 * read stays inside the file; problems are reported as {@link AmusedException}s naming the file.
 */
public final class SafeTensors implements AutoCloseable {
    /** Headers larger than this are refused (the real amused headers are about 55 KB). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    static final String METADATA_KEY = "__metadata__";

    /** Strict JSON: a duplicated tensor name or bytes after the object make the header invalid. */
    private static final ObjectMapper HEADER_READER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    /** Null for a retained mapping, which the garbage collector unmaps once no segment of it is reachable. */
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final long fileSize;

    private SafeTensors(Path file, long fileSize, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
                        Map<String, String> metadata) {
        this.file = file;
        this.fileSize = fileSize;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Maps {@code file} and validates its header: the length field, the JSON, every entry's dtype, shape and
     * byte range (inside the data section, size = elements x dtype size, no two ranges overlapping).
     * Gaps between tensors are tolerated; the data past the last tensor is ignored.
     *
     * @throws AmusedException naming the file and the problem, for a missing, unreadable or malformed file
     */
    public static SafeTensors open(Path file) {
        return open(file, Arena.ofShared());
    }

    /**
     * Like {@link #open}, but the {@link #segment}s stay valid for as long as they are reachable, also after
     * {@link #close} (which then does nothing): for weights that are computed with straight from the mapping.
     */
    public static SafeTensors openRetained(Path file) {
        return open(file, null);
    }

    private static SafeTensors open(Path file, Arena closeable) {
        if (Files.isDirectory(file)) {
            throw new AmusedException(file + ": is a directory, expected a .safetensors file");
        }
        Arena arena = closeable != null ? closeable : Arena.ofAuto();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length (truncated?)");
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = all.get(LONG_LE, 0);
            // Compared unsigned: a length with the top bit set is huge, not negative.
            if (Long.compareUnsigned(headerLen, MAX_HEADER_BYTES) > 0) {
                throw bad(file, "header length " + Long.toUnsignedString(headerLen) + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
            }
            if (headerLen < 2) {
                throw bad(file, "header length " + headerLen + " is too short for a JSON object");
            }
            if (8 + headerLen > size) {
                throw bad(file, "header length " + headerLen + " runs past the end of the " + size
                        + "-byte file (truncated?)");
            }
            byte[] headerBytes = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(8 + headerLen);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(file, headerBytes, data.byteSize(), metadata);
            return new SafeTensors(file, size, closeable, data, tensors, Collections.unmodifiableMap(metadata));
        } catch (NoSuchFileException e) {
            closeQuietly(closeable);
            throw new AmusedException(file + ": no such file");
        } catch (AccessDeniedException e) {
            closeQuietly(closeable);
            throw new AmusedException(file + ": permission denied");
        } catch (IOException e) {
            closeQuietly(closeable);
            throw new AmusedException(file + ": cannot read (" + e + ")", e);
        } catch (RuntimeException e) {
            closeQuietly(closeable);
            throw e;
        }
    }

    private static void closeQuietly(Arena arena) {
        if (arena != null) {
            arena.close();
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path file, byte[] headerBytes, long dataSize,
                                                       Map<String, String> metadata) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = HEADER_READER.readTree(text);
        } catch (JsonProcessingException e) {
            throw bad(file, "header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw bad(file, "header is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals(METADATA_KEY)) {
                parseMetadata(file, v, metadata);
            } else {
                tensors.put(name, parseEntry(file, name, v, dataSize));
            }
        }
        checkOverlaps(file, tensors);
        return Collections.unmodifiableMap(tensors);
    }

    private static void parseMetadata(Path file, JsonNode v, Map<String, String> metadata) {
        if (!v.isObject()) {
            throw bad(file, METADATA_KEY + " is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> m : v.properties()) {
            if (!m.getValue().isTextual()) {
                throw bad(file, METADATA_KEY + " value of '" + m.getKey() + "' is not a string");
            }
            metadata.put(m.getKey(), m.getValue().asText());
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode v, long dataSize) {
        if (!v.isObject()) {
            throw badTensor(file, name, "entry is not a JSON object");
        }
        JsonNode dtypeNode = v.path("dtype");
        JsonNode shapeNode = v.path("shape");
        JsonNode off = v.path("data_offsets");
        if (!dtypeNode.isTextual()) {
            throw badTensor(file, name, dtypeNode.isMissingNode() ? "missing 'dtype'" : "'dtype' is not a string");
        }
        if (!shapeNode.isArray()) {
            throw badTensor(file, name, shapeNode.isMissingNode() ? "missing 'shape'" : "'shape' is not an array");
        }
        if (!off.isArray() || off.size() != 2) {
            throw badTensor(file, name, off.isMissingNode() ? "missing 'data_offsets'"
                    : "'data_offsets' is not an array of two integers");
        }
        DType dtype = DType.parse(dtypeNode.asText());
        if (dtype == null) {
            throw badTensor(file, name, "unsupported dtype '" + dtypeNode.asText() + "' (supported: "
                    + Arrays.toString(DType.values()) + ")");
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 0) {
                throw badTensor(file, name, "invalid dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = d.asInt();
        }
        long expected = byteSize(file, name, dtype, shape);
        for (JsonNode o : off) {
            if (!o.isIntegralNumber() || !o.canConvertToLong()) {
                throw badTensor(file, name, "data_offsets " + off + " are not two integers");
            }
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw badTensor(file, name, "data_offsets [" + begin + ", " + end + "] are negative or inverted");
        }
        if (end > dataSize) {
            throw badTensor(file, name, "data_offsets [" + begin + ", " + end + "] run past the end of the "
                    + dataSize + "-byte data section (truncated?)");
        }
        if (end - begin != expected) {
            throw badTensor(file, name, "occupies " + (end - begin) + " bytes but " + dtype + " x "
                    + Arrays.toString(shape) + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long byteSize(Path file, String name, DType dtype, int[] shape) {
        try {
            long n = dtype.bytes();
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        } catch (ArithmeticException e) {
            throw badTensor(file, name, "shape " + Arrays.toString(shape) + " is too large");
        }
    }

    /** Sorted by start, each range must begin at or after the furthest end seen so far. */
    private static void checkOverlaps(Path file, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.removeIf(t -> t.end() == t.begin());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        TensorInfo furthest = null;
        for (TensorInfo cur : sorted) {
            if (furthest != null && cur.begin() < furthest.end()) {
                throw bad(file, "tensors '" + furthest.name() + "' " + range(furthest) + " and '" + cur.name()
                        + "' " + range(cur) + " overlap in the data section");
            }
            if (furthest == null || cur.end() > furthest.end()) {
                furthest = cur;
            }
        }
    }

    private static String range(TensorInfo t) {
        return "[" + t.begin() + ", " + t.end() + "]";
    }

    private static AmusedException badTensor(Path file, String name, String problem) {
        return bad(file, "tensor '" + name + "': " + problem);
    }

    private static AmusedException bad(Path file, String problem) {
        return new AmusedException(file + ": not a valid safetensors file: " + problem);
    }

    public Path file() {
        return file;
    }

    /** Size of the whole file in bytes. */
    public long fileSize() {
        return fileSize;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The {@code __metadata__} string map (empty when the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new AmusedException(file + ": no tensor named '" + name + "'");
        }
        return info;
    }

    /**
     * Drops the file's pages from this process's resident memory (they stay readable and come back from the page
     * cache on the next read). Lets a pipeline shed a model's weights while another stage runs.
     */
    public void releasePages() {
        if (data.isMapped()) {
            data.unload();
        }
    }

    /** Whether this file was opened with {@link #openRetained}. */
    public boolean retained() {
        return arena == null;
    }

    /** The raw little-endian bytes of a tensor, still mapped (valid until {@link #close}, unless retained). */
    public MemorySegment segment(String name) {
        TensorInfo info = info(name);
        return data.asSlice(info.begin(), info.end() - info.begin());
    }

    /** A floating-point tensor widened to float32 (F64 narrowed). */
    public Tensor load(String name) {
        TensorInfo info = info(name);
        int n = arrayLength(info);
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

    private int arrayLength(TensorInfo info) {
        if (info.numel() > Integer.MAX_VALUE - 8) {
            throw new AmusedException(file + ": tensor '" + info.name() + "' has " + info.numel()
                    + " elements, too many for one Java array");
        }
        return (int) info.numel();
    }

    /** An integer (or bool) tensor as longs. */
    public long[] loadLongs(String name) {
        TensorInfo info = info(name);
        int n = arrayLength(info);
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
            if (longs[i] != (int) longs[i]) {
                throw new AmusedException(file + ": tensor '" + name + "' value " + longs[i] + " at index " + i
                        + " does not fit in an int");
            }
            out[i] = (int) longs[i];
        }
        return out;
    }

    @Override
    public void close() {
        closeQuietly(arena);
    }
}
