package org.amused4j.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HalfWeightTest {
    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Every 16-bit pattern (zeros, subnormals, normals, infinities, NaN payloads, both signs) in one weight. */
    private static HalfWeight allPatterns(Arena arena, HalfWeight.Format format) {
        MemorySegment bytes = arena.allocate(2 * 65536);
        for (int i = 0; i < 65536; i++) {
            bytes.setAtIndex(SHORT_LE, i, (short) i);
        }
        return new HalfWeight(bytes, format, new int[] {256, 256});
    }

    private static int expectedBits(HalfWeight.Format format, int pattern) {
        float f = format == HalfWeight.Format.F16 ? Half.f16ToFloat((short) pattern) : Half.bf16ToFloat((short) pattern);
        return Float.floatToRawIntBits(f);
    }

    @ParameterizedTest
    @EnumSource(HalfWeight.Format.class)
    void widensEveryBitPatternExactlyLikeTheScalarConversion(HalfWeight.Format format) {
        try (Arena arena = Arena.ofConfined()) {
            float[] all = allPatterns(arena, format).toFloat32().data();
            for (int i = 0; i < all.length; i++) {
                assertThat(Float.floatToRawIntBits(all[i])).as("pattern 0x%04x", i).isEqualTo(expectedBits(format, i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(HalfWeight.Format.class)
    void readsAnyRangeIntoAnyOffsetVectorPartAndTailAlike(HalfWeight.Format format) {
        try (Arena arena = Arena.ofConfined()) {
            HalfWeight w = allPatterns(arena, format);
            for (int from : new int[] {0, 1, 15, 31744, 65500}) {
                for (int n : new int[] {0, 1, 7, 16, 17, 33}) {
                    float[] dst = new float[n + 3];
                    w.read(from, dst, 3, n);
                    for (int i = 0; i < n; i++) {
                        assertThat(Float.floatToRawIntBits(dst[3 + i])).isEqualTo(expectedBits(format, from + i));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(HalfWeight.Format.class)
    void rejectsBytesThatDoNotMatchTheShape(HalfWeight.Format format) {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> new HalfWeight(arena.allocate(10), format, new int[] {2, 3}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]");
        }
    }
}
