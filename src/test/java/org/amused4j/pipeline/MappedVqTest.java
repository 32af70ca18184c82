package org.amused4j.pipeline;

import org.amused4j.golden.Golden;
import org.amused4j.golden.ModelCopy;
import org.amused4j.io.FileWeights;
import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.tensor.Tensor;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The VQ of a folder loaded with a half-precision variant computes from its memory-mapped file, a layer at a time
 * when it runs, so text-to-image (which only decodes) never reads the encoder's weights and holds no float32 copy
 * of the VQ; the results are those of the weights widened at load.
 */
class MappedVqTest {
    private static final String FP16_FILE = "vqvae/diffusion_pytorch_model.fp16.safetensors";
    private static final String ENCODER_INPUT_CONV = "encoder.conv_in.weight";

    @TempDir
    Path dir;
    private Path folder;

    /** The tiny golden amused-256 folder with an fp16 variant of its VQ (its float32 weights rounded). */
    @BeforeEach
    void writeFolderWithAnFp16Vq() throws IOException {
        folder = dir.resolve("model");
        ModelCopy.wholeFolder(Golden.dir().resolve("models/tiny-amused-256"), folder);
        writeFp16Vq(folder.resolve(FP16_FILE), name -> UnaryOperator.identity());
    }

    @Test
    void encodeAndDecodeEqualTheVqWidenedAtLoad() {
        AmusedModel model = AmusedModel.load(folder, "fp16");
        VqModel widened;
        try (FileWeights w = FileWeights.open(folder.resolve(FP16_FILE))) {
            widened = new VqModel(VqConfig.read(folder.resolve("vqvae/config.json")), w);
        }
        Tensor image = image();
        Tensor latents = model.vq().encode(image);
        assertThat(latents.data()).containsExactly(widened.encode(image).data());
        int[] ids = model.vq().quantize(latents);
        int h = image.dim(2) / model.vqFactor();
        int w = image.dim(3) / model.vqFactor();
        assertThat(model.vq().decode(ids, 1, h, w).data()).containsExactly(widened.decode(ids, 1, h, w).data());
    }

    @Test
    void theEncoderReadsItsWeightsFromTheFileWhenItRunsNotAtLoad() throws IOException {
        AmusedModel model = AmusedModel.load(folder, "fp16");
        Tensor image = image();
        Tensor before = model.vq().encode(image);

        // The same file layout with the encoder's first convolution zeroed, written over the loaded file in place.
        Path changed = dir.resolve("changed.safetensors");
        writeFp16Vq(changed,
                name -> name.equals(ENCODER_INPUT_CONV) ? t -> Tensor.zeros(t.shape()) : UnaryOperator.identity());
        try (FileChannel out = FileChannel.open(folder.resolve(FP16_FILE), StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(Files.readAllBytes(changed)), 0);
        }

        Tensor after = model.vq().encode(image);
        assertThat(after.data()).isNotEqualTo(before.data())
                .containsExactly(AmusedModel.load(folder, "fp16").vq().encode(image).data());
    }

    /** The golden VQ's tensors as fp16, each passed through {@code change} (by name) first. */
    private void writeFp16Vq(Path target, Function<String, UnaryOperator<Tensor>> change) {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        try (SafeTensors f32 = SafeTensors.open(folder.resolve("vqvae/diffusion_pytorch_model.safetensors"))) {
            for (String name : f32.names()) {
                writer.f16(name, change.apply(name).apply(f32.load(name)));
            }
        }
        writer.write(target);
    }

    private static Tensor image() {
        SplittableRandom random = new SplittableRandom(2);
        Tensor t = Tensor.zeros(1, 3, 32, 32);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) random.nextDouble();
        }
        return t;
    }
}
