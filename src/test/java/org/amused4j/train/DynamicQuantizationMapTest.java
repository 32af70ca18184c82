package org.amused4j.train;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DynamicQuantizationMapTest {

    @Test
    void generatedMapsMatchTheSpecTablesWithinOneUlp() throws IOException {
        List<float[]> tables = specTables();
        assertWithinOneUlp("signed", tables.get(0), DynamicQuantizationMap.signed().values());
        assertWithinOneUlp("unsigned", tables.get(1), DynamicQuantizationMap.unsigned().values());
    }

    @Test
    void mapsHaveTheDocumentedShape() {
        float[] signed = DynamicQuantizationMap.signed().values();
        assertThat(signed).hasSize(256);
        assertThat(signed[0]).isEqualTo(-signed[254]);
        assertThat(signed[127]).isZero();
        assertThat(signed[255]).isEqualTo(1f);
        for (int i = 0; i < 127; i++) {
            assertThat(signed[i]).as("negative entry %d mirrors %d", i, 254 - i).isEqualTo(-signed[254 - i]);
        }
        float[] unsigned = DynamicQuantizationMap.unsigned().values();
        assertThat(unsigned[0]).isZero();
        assertThat(unsigned[255]).isEqualTo(1f);
        for (int i = 1; i < 256; i++) {
            assertThat(unsigned[i]).as("strictly ascending at %d", i).isGreaterThan(unsigned[i - 1]);
            assertThat(signed[i]).isGreaterThan(signed[i - 1]);
        }
    }

    @Test
    void everyEntryQuantizesToItsOwnCode() {
        for (DynamicQuantizationMap map : List.of(DynamicQuantizationMap.signed(), DynamicQuantizationMap.unsigned())) {
            for (int code = 0; code < 256; code++) {
                assertThat(map.quantize(map.value(code))).as("signed=%b code %d", map.isSigned(), code)
                        .isEqualTo(code);
            }
        }
    }

    @Test
    void quantizeFindsTheNearestEntryAndBoundsTheRoundTripError() {
        Random random = new Random(7);
        for (DynamicQuantizationMap map : List.of(DynamicQuantizationMap.signed(), DynamicQuantizationMap.unsigned())) {
            float[] table = map.values();
            for (int t = 0; t < 200_000; t++) {
                // log-uniform magnitudes over the map's seven decades, plus uniform values
                float magnitude = t % 2 == 0 ? (float) Math.pow(10, -7 * random.nextDouble()) : random.nextFloat();
                float x = map.isSigned() && random.nextBoolean() ? -magnitude : magnitude;
                int code = map.quantize(x);
                float error = Math.abs(map.value(code) - x);
                float nearest = Float.MAX_VALUE;
                for (float v : table) {
                    nearest = Math.min(nearest, Math.abs(v - x));
                }
                // nearest, up to the rounding of the kernel's float32 midpoints
                assertThat(error - nearest).as("signed=%b x=%s code %d", map.isSigned(), x, code)
                        .isLessThanOrEqualTo(2 * Math.ulp(x));
                // the map is a log-scale grid: relative error <= half the step of its decade's linspace
                float halfGap = 0.5f * gapAround(table, code);
                assertThat(error).isLessThanOrEqualTo(halfGap);
                if (Math.abs(x) >= 0.01f) {
                    // the two upper decades hold 32 + 64 (signed) or 64 + 128 (unsigned) entries
                    assertThat(error / Math.abs(x)).as("relative error at %s", x).isLessThan(0.15f);
                }
                if (Math.abs(x) >= 0.1f) {
                    assertThat(error).as("absolute error in the top decade at %s", x)
                            .isLessThanOrEqualTo(map.isSigned() ? 0.00704f : 0.00352f);
                }
            }
        }
    }

    /** The lookup reproduces the kernel's search around every decision point and on a dense sweep of [-1, 1]. */
    @Test
    void lookupAgreesWithTheKernelSearch() {
        for (DynamicQuantizationMap map : List.of(DynamicQuantizationMap.signed(), DynamicQuantizationMap.unsigned())) {
            float[] table = map.values();
            for (int i = 0; i < 256; i++) {
                float mid = i < 255 ? (table[i] + table[i + 1]) * 0.5f : table[i];
                for (float center : new float[] {table[i], mid, -table[i], -mid}) {
                    int key = DynamicQuantizationMap.orderedBits(center);
                    for (int d = -4; d <= 4; d++) {
                        assertSameCode(map, fromKey(key + d));
                    }
                }
            }
            int from = DynamicQuantizationMap.orderedBits(-1.5f);
            int to = DynamicQuantizationMap.orderedBits(1.5f);
            int previous = 0;
            for (long key = from; key <= to; key += 331) {
                float x = fromKey((int) key);
                int code = assertSameCode(map, x);
                assertThat(code).as("monotone at %s", x).isGreaterThanOrEqualTo(previous);
                previous = code;
            }
            for (float x : new float[] {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1f, -1f, 2f, -2f,
                    Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                assertSameCode(map, x);
            }
        }
    }

    private static int assertSameCode(DynamicQuantizationMap map, float x) {
        int code = map.quantize(x);
        assertThat(code).as("signed=%b x=%s", map.isSigned(), x).isEqualTo(map.quantizeBySearch(x));
        return code;
    }

    private static float fromKey(int key) {
        return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
    }

    @Test
    void linspaceCountsUpThenDownLikeTorch() {
        float[] b = DynamicQuantizationMap.linspace(0.1f, 1f, 129);
        float step = (1f - 0.1f) / 128;
        assertThat(b[0]).isEqualTo(0.1f);
        assertThat(b[63]).isEqualTo(0.1f + step * 63);
        assertThat(b[64]).isEqualTo(1f - step * 64);
        assertThat(b[128]).isEqualTo(1f);
    }

    private static float gapAround(float[] table, int code) {
        float below = code > 0 ? table[code] - table[code - 1] : 0f;
        float above = code < 255 ? table[code + 1] - table[code] : 0f;
        return Math.max(below, above);
    }

    private static void assertWithinOneUlp(String what, float[] expected, float[] actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s[%d]: %s vs spec %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(Math.ulp(expected[i]));
        }
    }

    /** The two tables of spec appendix A2 (signed, then unsigned), copied into a test resource. */
    private static List<float[]> specTables() throws IOException {
        List<List<Float>> tables = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                DynamicQuantizationMapTest.class.getResourceAsStream("bnb-qmaps.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("# signed") || line.startsWith("# unsigned")) {
                    tables.add(new ArrayList<>());
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    for (String v : line.trim().split("\\s+")) {
                        tables.getLast().add(Float.parseFloat(v));
                    }
                }
            }
        }
        return tables.stream().map(DynamicQuantizationMapTest::toArray).toList();
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
