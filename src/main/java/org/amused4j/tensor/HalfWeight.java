package org.amused4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A weight whose little-endian F16 or BF16 values stay in (typically memory-mapped) {@code bytes}. Reads widen
 * them to float32 exactly, a vector at a time: BF16 is the upper half of a float32; F16 is re-biased by moving
 * its exponent and mantissa into float32 position and scaling by 2^112 (exact for normal and subnormal halves
 * alike), with infinities and NaNs mapped bit-wise (NaNs quieted, as {@link Float#float16ToFloat} does). The segment must stay alive as long as this weight is used.
 */
public record HalfWeight(MemorySegment bytes, Format format, int[] shape) implements Weight {
    public enum Format { F16, BF16 }

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class,
            jdk.incubator.vector.VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final int LANES = FLOATS.length();
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int F16_INFINITY = 0x7c00;
    private static final int F32_INFINITY = 0x7f800000;
    private static final int F32_QUIET_NAN = 0x7fc00000;
    private static final float F16_REBIAS = 0x1p112f;

    public HalfWeight {
        shape = shape.clone();
        if (bytes.byteSize() != 2 * Tensor.numel(shape)) {
            throw new IllegalArgumentException(bytes.byteSize() + " bytes cannot hold " + format + " "
                    + Arrays.toString(shape));
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public long size() {
        return bytes.byteSize() / 2;
    }

    @Override
    public void read(long from, float[] dst, int dstOff, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            widen(2 * (from + i)).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = scalar(bytes.getAtIndex(SHORT_LE, from + i));
        }
    }

    /** One vector of values starting at byte {@code offset}. */
    private FloatVector widen(long offset) {
        IntVector bits = (IntVector) ShortVector.fromMemorySegment(SHORTS, bytes, offset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, INTS, 0);
        if (format == Format.BF16) {
            return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
        }
        IntVector magnitude = bits.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(F16_REBIAS).reinterpretAsInts();
        VectorMask<Integer> infinite = magnitude.compare(VectorOperators.EQ, F16_INFINITY);
        VectorMask<Integer> nan = magnitude.compare(VectorOperators.GT, F16_INFINITY);
        IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return finite.blend(F32_INFINITY, infinite).blend(shifted.or(F32_QUIET_NAN), nan).or(sign)
                .reinterpretAsFloats();
    }

    /**
     * Widens {@code n} values of the given format from a heap copy of a weight's bits. For F16 a plain loop over
     * {@link Float#float16ToFloat}, which C2 compiles to the hardware conversion: 0.055 ns per value from L2
     * against 0.12 for {@link #read}'s portable bit arithmetic (the same values; reads from the mapped file keep
     * that, since only a heap array gets the loop vectorised).
     */
    public static void widen(Format format, short[] src, int srcOff, float[] dst, int dstOff, int n) {
        if (format == Format.BF16) {
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = Half.bf16ToFloat(src[srcOff + i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = Float.float16ToFloat(src[srcOff + i]);
            }
        }
    }

    /**
     * Narrows {@code n} floats that were widened from the given format back to its bits (exact for such values;
     * others round as {@link Float#floatToFloat16} does, or truncate for BF16).
     */
    public static void narrow(Format format, float[] src, int srcOff, short[] dst, int dstOff, int n) {
        if (format == Format.BF16) {
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = (short) (Float.floatToRawIntBits(src[srcOff + i]) >>> 16);
            }
        } else {
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = Float.floatToFloat16(src[srcOff + i]);
            }
        }
    }

    private float scalar(short bits) {
        return format == Format.BF16 ? Half.bf16ToFloat(bits) : Half.f16ToFloat(bits);
    }

    /**
     * Drops the pages of a memory-mapped weight from the process's resident memory, for when it has been widened
     * for good (training): they would otherwise count towards the process's size until the whole file is
     * unmapped. The weight stays readable (the pages come back from the file on the next read).
     */
    public void releasePages() {
        if (bytes.isMapped()) {
            bytes.unload();
        }
    }

    @Override
    public Tensor toFloat32() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("weight too large for one array: " + Arrays.toString(shape));
        }
        float[] out = new float[(int) n];
        read(0, out, 0, out.length);
        return Tensor.of(out, shape);
    }
}
