package org.amused4j.vq;

import org.amused4j.golden.UsesGolden;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

/** Every {@code vq_*} golden case: encoder output, latents, token ids, codebook lookup and decoder outputs. */
@UsesGolden
@Tag("parity")
class VqGoldenParityTest {

    @TestFactory
    Stream<DynamicTest> matchesDiffusers() {
        return Golden.cases("vq").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(GoldenCase c) {
        VqModel vq = VqModel.load(c.resolve(c.json().get("model").asText()));
        Tensor image = c.tensor("image");

        Tensor latents = vq.encode(image);
        int[] grid = {latents.dim(0), latents.dim(2), latents.dim(3)};
        int[] ids = vq.quantize(latents);
        int[] expectedIds = ints(c.longs("indices"));

        Tensor randomLookupExpected = c.tensor("codebook_lookup");
        int[] randomIds = ints(c.longs("random_indices"));
        int[] randomGrid = {randomLookupExpected.dim(0), randomLookupExpected.dim(2), randomLookupExpected.dim(3)};

        assertAll(c.name(),
                close(c, "encoder_out", () -> vq.encoder().forward(image)),
                close(c, "latents", () -> latents),
                () -> assertThat(ids).as("indices").containsExactly(expectedIds),
                // decoded from the golden ids, so a wrong id shows up once (above), not in every later tensor
                close(c, "z_q", () -> vq.quantizer().lookup(expectedIds, grid[0], grid[1], grid[2])),
                close(c, "decoded_from_indices", () -> vq.decode(expectedIds, grid[0], grid[1], grid[2])),
                close(c, "codebook_lookup",
                        () -> vq.quantizer().lookup(randomIds, randomGrid[0], randomGrid[1], randomGrid[2])),
                close(c, "decoded_random_indices",
                        () -> vq.decode(randomIds, randomGrid[0], randomGrid[1], randomGrid[2])));
    }

    private static Executable close(GoldenCase c, String name, Supplier<Tensor> actual) {
        return () -> Approx.assertClose(c.name() + " " + name, c.tensor(name), actual.get(), c.atol(name));
    }

    private static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }
}
