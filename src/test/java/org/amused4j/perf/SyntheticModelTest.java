package org.amused4j.perf;

import org.amused4j.io.RandomWeights;
import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.io.Weights;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.train.joint.JointTrainingConfig;
import org.amused4j.uvit.UVit2DModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticModelTest {
    @TempDir
    Path dir;

    /**
     * The streamed file (names learnt on shared zero tensors, values made one tensor at a time) holds exactly what
     * storing the model's own random weights gives.
     */
    @Test
    void streamedFilesEqualTheModelsOwnRandomWeights() throws IOException {
        assertSameFile("text", 5, w -> new ClipTextEncoder(JointTrainingConfig.shapesTextEncoder(300, 16), w));
        assertSameFile("uvit", 6, w -> new UVit2DModel(JointTrainingConfig.shapesTransformer(64, 16), w));
    }

    /**
     * The full-size CLIP text encoder (123 M parameters, 0.49 GB as float32) is written by a JVM with a 400 MiB
     * heap (ParallelGC, as the launcher runs): only one tensor's float32 values (at most the 152 MB token
     * embedding) may be alive at a time. Writing it from the model built on its float32 weights, as the first
     * version did, ran out of memory here, and so did {@code amused bench} on a fresh machine with the amused-256
     * transformer (2.4 GB against a 2 GiB heap).
     */
    @Test
    void aFullSizeTextEncoderIsWrittenInABoundedHeap() throws Exception {
        Path config = dir.resolve("text_encoder.json");
        try (InputStream in = SyntheticModel.class.getResourceAsStream("/org/amused4j/perf/text_encoder.json")) {
            Files.write(config, in.readAllBytes());
        }
        Path file = dir.resolve("text.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx400m", "-XX:+UseParallelGC", "--add-modules",
                "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), WriteTextEncoder.class.getName(),
                config.toString(), file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        assertThat(child.exitValue()).as("exit code; log: %s", Files.readString(dir.resolve("child.log")))
                .isZero();
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThat(st.info("text_model.embeddings.token_embedding.weight").shape()).containsExactly(49408, 768);
        }
    }

    /** The child of {@link #aFullSizeTextEncoderIsWrittenInABoundedHeap}. */
    static final class WriteTextEncoder {
        public static void main(String[] args) {
            ClipTextConfig config = ClipTextConfig.read(Path.of(args[0]));
            SyntheticModel.writeFp16(Path.of(args[1]), 0, w -> new ClipTextEncoder(config, w));
        }
    }

    private void assertSameFile(String label, long seed, Function<Weights, Object> build) throws IOException {
        Path streamed = dir.resolve(label + "-streamed.safetensors");
        SyntheticModel.writeFp16(streamed, seed, build);

        RandomWeights random = new RandomWeights(seed);
        SafeTensorsWriter eager = new SafeTensorsWriter();
        build.apply((name, shape) -> {
            var t = random.get(name, shape);
            eager.f16(name, t);
            return t;
        });
        Path expected = dir.resolve(label + "-eager.safetensors");
        eager.write(expected);

        assertThat(Files.size(streamed)).isGreaterThan(10_000);
        assertThat(Files.readAllBytes(streamed)).isEqualTo(Files.readAllBytes(expected));
    }
}
