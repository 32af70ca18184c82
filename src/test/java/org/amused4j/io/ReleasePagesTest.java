package org.amused4j.io;

import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Weight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Releasing a mapped file's resident pages never changes what is read from it afterwards. */
class ReleasePagesTest {
    @TempDir
    Path dir;

    @Test
    void weightsReadTheSameValuesAfterTheirPagesAreReleased() {
        float[] values = new float[4096 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i) * 3;
        }
        Path file = dir.resolve("w.safetensors");
        new SafeTensorsWriter().f16("m", Tensor.of(values, 4096, 3)).f32("f", Tensor.of(values, 3, 4096)).write(file);

        SafeTensors mapped = SafeTensors.openRetained(file);
        Weight half = new FileWeights(mapped).matrix("m", 4096, 3);
        float[] before = half.toFloat32().data();
        float[] f32Before = mapped.load("f").data();
        mapped.releasePages();
        assertThat(half.toFloat32().data()).containsExactly(before);
        assertThat(mapped.load("f").data()).containsExactly(f32Before);
        mapped.releasePages(); // twice is harmless
        assertThat(mapped.load("f").data()).containsExactly(values);
    }
}
