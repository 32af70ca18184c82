package org.amused4j.train;

import java.util.Arrays;

/**
 * bitsandbytes' 256-entry "dynamic" quantization map ({@code create_dynamic_map(signed, 7, 8)}, spec 09
 * §5.2.1, appendix A2) and its encoder. Values cover seven decades, 1e-6 .. 1: in decade i the map holds
 * the midpoints of a float32 {@code linspace(0.1, 1, n)} scaled by 10^(i-6), n = 2^i + 1 (signed, with
 * both signs) or 2^(i+1) + 1 (unsigned); plus 0 and 1, sorted ascending.
 */
public final class DynamicQuantizationMap {
    public static final int SIZE = 256;
    private static final int DECADES = 7;

    private static final DynamicQuantizationMap SIGNED = new DynamicQuantizationMap(true);
    private static final DynamicQuantizationMap UNSIGNED = new DynamicQuantizationMap(false);

    private static final int BUCKET_SHIFT = 16;
    private static final int BUCKET_OFFSET = 1 << (31 - BUCKET_SHIFT);

    private final boolean signed;
    private final float[] table;
    private final int[] boundary;
    private final int[] bucketStart;

    private DynamicQuantizationMap(boolean signed) {
        this.signed = signed;
        this.table = build(signed);
        this.boundary = boundaries();
        this.bucketStart = bucketStarts();
    }

    /** The map for Adam's first moment (values in [-1, 1]). */
    public static DynamicQuantizationMap signed() {
        return SIGNED;
    }

    /** The map for Adam's second moment (values in [0, 1]). */
    public static DynamicQuantizationMap unsigned() {
        return UNSIGNED;
    }

    private static float[] build(boolean signed) {
        float[] values = new float[SIZE];
        int count = 0;
        for (int i = 0; i < DECADES; i++) {
            int points = signed ? (1 << i) + 1 : (1 << (i + 1)) + 1;
            float[] bounds = linspace(0.1f, 1.0f, points);
            // Python's 10 ** (i - 6), a correctly rounded double (10^k is exact for k <= 6), then float32
            float scale = (float) (1.0 / Math.pow(10, DECADES - 1 - i));
            for (int j = 0; j + 1 < points; j++) {
                float value = scale * ((bounds[j] + bounds[j + 1]) / 2f);
                values[count++] = value;
                if (signed) {
                    values[count++] = -value;
                }
            }
        }
        values[count++] = 0f;
        values[count++] = 1f;
        if (count != SIZE) {
            throw new IllegalStateException("dynamic map has " + count + " entries");
        }
        Arrays.sort(values);
        return values;
    }

    /** float32 {@code torch.linspace} on the CPU: the first half counts up from start, the rest down from end. */
    static float[] linspace(float start, float end, int n) {
        float step = (end - start) / (n - 1);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = i < n / 2 ? start + step * i : end - step * (n - 1 - i);
        }
        return out;
    }

    public boolean isSigned() {
        return signed;
    }

    /** The value of {@code code} (0..255). */
    public float value(int code) {
        return table[code];
    }

    /** All 256 values, ascending (a copy). */
    public float[] values() {
        return table.clone();
    }

    /**
     * The code of the table entry nearest to {@code x}, exactly as {@link #quantizeBySearch} decides it,
     * but from a lookup: the search is a monotone function of x, so it is fixed by the 255 smallest
     * floats at which its result steps up, and a bucket table over the top 16 bits of x's ordered bit
     * pattern gives the code at the bucket's start, leaving at most a few boundaries to compare. (The
     * search itself costs seven dependent, unpredictable comparisons per element, which dominated the
     * 8-bit optimizer's time.) {@code x} must not be NaN.
     */
    public int quantize(float x) {
        int key = orderedBits(x);
        int code = bucketStart[(key >> BUCKET_SHIFT) + BUCKET_OFFSET];
        while (code < SIZE - 1 && boundary[code + 1] <= key) {
            code++;
        }
        return code;
    }

    /**
     * bitsandbytes' seven-step binary search and float32 midpoint rule ({@code quantize_2D}, spec 09
     * §5.2.3): the nearest entry, ties and ends resolved as in the CUDA kernel. The kernel starts its
     * bounds at -1 (signed) / 0 and 1 rather than at the table's ends; that only matters when the search
     * never moved that bound, and then both candidate codes are the same.
     */
    int quantizeBySearch(float x) {
        int pivot = 127;
        int lowerPivot = 0;
        int upperPivot = 255;
        for (int step = 64; step > 0; step >>= 1) {
            if (x > table[pivot]) {
                lowerPivot = pivot;
                pivot += step;
            } else {
                upperPivot = pivot;
                pivot -= step;
            }
        }
        float val = table[pivot];
        if (x > val) {
            return x > (table[upperPivot] + val) * 0.5f ? upperPivot : pivot;
        }
        return x < (table[lowerPivot] + val) * 0.5f ? lowerPivot : pivot;
    }

    /** A float's bits as an int that orders like the float (NaN aside). */
    static int orderedBits(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** boundary[c] = ordered bits of the smallest float the search maps to c or above (c >= 1). */
    private int[] boundaries() {
        int[] b = new int[SIZE];
        b[0] = Integer.MIN_VALUE;
        for (int code = 1; code < SIZE; code++) {
            // over -inf .. +inf: NaNs are never quantized (the optimizer zeroes non-finite moments)
            long lo = orderedBits(Float.NEGATIVE_INFINITY);
            long hi = orderedBits(Float.POSITIVE_INFINITY);
            while (lo < hi) {
                long mid = (lo + hi) >> 1;
                if (quantizeBySearch(fromOrderedBits((int) mid)) >= code) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            b[code] = (int) lo;
        }
        return b;
    }

    private int[] bucketStarts() {
        int[] starts = new int[1 << (32 - BUCKET_SHIFT)];
        int code = 0;
        for (int bucket = 0; bucket < starts.length; bucket++) {
            int first = (bucket - BUCKET_OFFSET) << BUCKET_SHIFT;
            while (code < SIZE - 1 && boundary[code + 1] <= first) {
                code++;
            }
            starts[bucket] = code;
        }
        return starts;
    }

    private static float fromOrderedBits(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }
}
