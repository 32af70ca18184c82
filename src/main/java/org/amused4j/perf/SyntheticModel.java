package org.amused4j.perf;

import org.amused4j.io.AtomicFiles;
import org.amused4j.io.RandomWeights;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.io.Weights;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.TokenizerWriter;
import org.amused4j.uvit.UVit2DConfig;
import org.amused4j.uvit.UVit2DModel;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A full-size aMUSEd folder with seeded random weights, in the exact diffusers layout and configuration of
 * {@code amused/amused-256} or {@code amused/amused-512} (spec 01), so benchmarks measure the real shapes and the
 * real loading path without a download. Weights are stored as fp16 files ({@code *.fp16.safetensors}); the
 * tokenizer is a byte-level CLIP tokenizer without merges (the text encoder's cost does not depend on the
 * vocabulary). Written once per (variant, seed) and reused; a folder is complete only once its marker exists.
 */
public final class SyntheticModel {
    /** The two published variants; they differ only in the transformer's down/upsampling and grid size. */
    public enum Variant {
        AMUSED_256("amused-256", "transformer-256.json"),
        AMUSED_512("amused-512", "transformer-512.json");

        private final String label;
        private final String transformerConfig;

        Variant(String label, String transformerConfig) {
            this.label = label;
            this.transformerConfig = transformerConfig;
        }

        public String label() {
            return label;
        }
    }

    private static final String MARKER = ".complete";

    private SyntheticModel() {
    }

    /** The folder for {@code variant} under {@code cacheRoot}, written first if it is not there yet. */
    public static Path prepare(Path cacheRoot, Variant variant, long seed, Consumer<String> progress) {
        Path folder = cacheRoot.resolve(variant.label() + "-random-seed" + seed);
        if (Files.exists(folder.resolve(MARKER))) {
            return folder;
        }
        try {
            Files.createDirectories(folder);
            for (String sub : List.of("transformer", "vqvae", "text_encoder", "tokenizer", "scheduler")) {
                Files.createDirectories(folder.resolve(sub));
            }
            copyResource("model_index.json", folder.resolve("model_index.json"));
            copyResource(variant.transformerConfig, folder.resolve("transformer/config.json"));
            copyResource("vqvae.json", folder.resolve("vqvae/config.json"));
            copyResource("text_encoder.json", folder.resolve("text_encoder/config.json"));
            copyResource("scheduler.json", folder.resolve("scheduler/scheduler_config.json"));
            TokenizerWriter.write(folder.resolve("tokenizer"), List.of(), "!");

            progress.accept("writing random " + variant.label() + " text encoder");
            writeFp16(folder.resolve("text_encoder/model.fp16.safetensors"), seed,
                    w -> new ClipTextEncoder(ClipTextConfig.read(folder.resolve("text_encoder/config.json")), w));
            progress.accept("writing random " + variant.label() + " VQ model");
            writeFp16(folder.resolve("vqvae/diffusion_pytorch_model.fp16.safetensors"), seed + 1,
                    w -> new VqModel(VqConfig.read(folder.resolve("vqvae/config.json")), w));
            progress.accept("writing random " + variant.label() + " transformer");
            writeFp16(folder.resolve("transformer/diffusion_pytorch_model.fp16.safetensors"), seed + 2,
                    w -> new UVit2DModel(UVit2DConfig.read(folder.resolve("transformer/config.json")), w));
            AtomicFiles.write(folder.resolve(MARKER), "marker", out -> out.write(new byte[0]));
        } catch (IOException e) {
            throw new AmusedException(folder + ": cannot write the synthetic model (" + e.getMessage() + ")", e);
        }
        return folder;
    }

    /**
     * Stores the tensors a model asks for as fp16 seeded random values. The model is built once on shared zero
     * tensors (one per distinct shape) only to learn the names and shapes; each tensor's random values are then made
     * when the file reaches it, so one tensor is in memory at a time. (Building the model on its random float32
     * weights held 2.4 GB for the amused-256 transformer: more than the launcher's 2 GiB heap.)
     */
    static void writeFp16(Path file, long seed, Function<Weights, Object> build) {
        RandomWeights random = new RandomWeights(seed);
        SafeTensorsWriter writer = new SafeTensorsWriter();
        tensorShapes(build).forEach((name, shape) -> writer.f16(name, shape, () -> random.get(name, shape)));
        writer.write(file);
    }

    /** The names and shapes the model asks for, in order (its zero tensors are garbage once this returns). */
    private static Map<String, int[]> tensorShapes(Function<Weights, Object> build) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Map<List<Integer>, Tensor> zeros = new HashMap<>();
        build.apply((name, shape) -> {
            shapes.put(name, shape.clone());
            return zeros.computeIfAbsent(Arrays.stream(shape).boxed().toList(), key -> Tensor.zeros(shape));
        });
        return shapes;
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = SyntheticModel.class.getResourceAsStream("/org/amused4j/perf/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            byte[] bytes = in.readAllBytes();
            AtomicFiles.write(target, "config", out -> out.write(bytes));
        }
    }
}
