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

    private final boolean signed;
    private final float[] table;

    private DynamicQuantizationMap(boolean signed) {
        this.signed = signed;
        this.table = build(signed);
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
     * The code of the table entry nearest to {@code x} (expected in [-1, 1] or [0, 1]), found by
     * bitsandbytes' seven-step binary search and its midpoint rule ({@code quantize_2D}, spec 09 §5.2.3);
     * ties and the ends resolve as the CUDA kernel does.
     */
    public int quantize(float x) {
        int pivot = 127;
        int lowerPivot = 0;
        int upperPivot = 255;
        float lower = signed ? -1f : 0f;
        float upper = 1f;
        float val = table[pivot];
        for (int step = 64; step > 0; step >>= 1) {
            if (x > val) {
                lowerPivot = pivot;
                lower = val;
                pivot += step;
            } else {
                upperPivot = pivot;
                upper = val;
                pivot -= step;
            }
            val = table[pivot];
        }
        if (x > val) {
            return x > (upper + val) * 0.5f ? upperPivot : pivot;
        }
        return x < (lower + val) * 0.5f ? lowerPivot : pivot;
    }
}
