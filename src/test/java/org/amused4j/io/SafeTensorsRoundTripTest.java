package org.amused4j.io;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.amused4j.tensor.Half;
import org.amused4j.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever tensors go in come back out: F32 exactly, F16/BF16 as the rounded values. */
class SafeTensorsRoundTripTest {

    @Provide
    Arbitrary<Tensor> tensors() {
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 5).list().ofMaxSize(4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
        return shapes.flatMap(shape -> Arbitraries.floats()
                .withSpecialValue(Float.NaN).withSpecialValue(Float.POSITIVE_INFINITY).withSpecialValue(-0f)
                .withSpecialValue(Float.MIN_VALUE).withSpecialValue(65504f)
                .array(float[].class).ofSize((int) Tensor.numel(shape))
                .map(d -> Tensor.of(d, shape)));
    }

    @Provide
    Arbitrary<List<Tensor>> tensorLists() {
        return tensors().list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 200)
    void everyTensorRoundTrips(@ForAll("tensorLists") List<Tensor> list, @ForAll long idSeed) {
        SafeTensorsWriter w = new SafeTensorsWriter();
        long[] ids = {idSeed, ~idSeed};
        for (int i = 0; i < list.size(); i++) {
            w.f32("f32." + i, list.get(i)).f16("f16." + i, list.get(i)).bf16("bf16." + i, list.get(i));
        }
        w.i64("ids", ids, 2);
        try (SafeTensors st = SafeTensors.open(writeTemp(w))) {
            for (int i = 0; i < list.size(); i++) {
                float[] in = list.get(i).data();
                assertThat(st.load("f32." + i).shape()).isEqualTo(list.get(i).shape());
                assertSameBits(st.load("f32." + i).data(), in, v -> v);
                assertSameBits(st.load("f16." + i).data(), in, v -> Half.f16ToFloat(Half.floatToF16(v)));
                assertSameBits(st.load("bf16." + i).data(), in, v -> Half.bf16ToFloat(Half.floatToBf16(v)));
            }
            assertThat(st.loadLongs("ids")).containsExactly(ids);
        }
    }

    private interface Rounding {
        float apply(float v);
    }

    private static void assertSameBits(float[] actual, float[] input, Rounding rounding) {
        assertThat(actual).hasSameSizeAs(input);
        for (int i = 0; i < input.length; i++) {
            float expected = rounding.apply(input[i]);
            if (Float.isNaN(expected)) {
                assertThat(actual[i]).isNaN();
            } else {
                assertThat(Float.floatToIntBits(actual[i])).as("element %d of %s", i, input[i])
                        .isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    private static Path writeTemp(SafeTensorsWriter w) {
        try {
            Path f = Files.createTempFile("roundtrip", ".safetensors");
            f.toFile().deleteOnExit();
            w.write(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
