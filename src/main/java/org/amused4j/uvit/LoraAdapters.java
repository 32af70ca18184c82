package org.amused4j.uvit;

import org.amused4j.io.FileWeights;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.io.Weights;
import org.amused4j.nn.Linear;
import org.amused4j.nn.LoraLinear;
import org.amused4j.nn.Module;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * PEFT LoRA on the U-ViT's attention projections ({@code --use_lora}, spec 09 §6): every projection whose full
 * name equals a target or ends with {@code "." + target} (default {@code to_q}, {@code to_k}, {@code to_v}) becomes
 * a {@link LoraLinear}. The adapters' parameters are named like the PEFT state dict without its component
 * prefix ({@code transformer_layers.0.attn1.to_q.lora_A.weight}); the model's own parameter list includes them
 * too, so train the names containing {@link #NAME_MARKER} and freeze the rest.
 *
 * <p>The file diffusers writes, {@value #FILE_NAME}, holds them under {@value #COMPONENT_PREFIX} with metadata
 * {@code format: pt} and no rank or alpha (those come from the training configuration).
 */
public final class LoraAdapters implements Module {
    public static final String FILE_NAME = "pytorch_lora_weights.safetensors";
    /** Component prefix of the transformer's adapters in {@value #FILE_NAME}. */
    public static final String COMPONENT_PREFIX = "transformer.";
    /** What every adapter parameter name contains. */
    public static final String NAME_MARKER = ".lora_";

    private final List<Adapted> adapted;

    /** rank r, lora_alpha (scaling = alpha / r) and the target module names (spec 09 §6 defaults: 16, 32, q/k/v). */
    public record Config(int rank, double alpha, List<String> targetModules) {
        public Config {
            if (rank <= 0) {
                throw new AmusedException("LoRA rank must be positive, got " + rank);
            }
            targetModules = List.copyOf(targetModules);
        }

        public static Config defaults() {
            return new Config(16, 32, List.of("to_q", "to_k", "to_v"));
        }

        boolean targets(String moduleName) {
            return targetModules.stream().anyMatch(t -> moduleName.equals(t) || moduleName.endsWith("." + t));
        }
    }

    private record Adapted(String name, LoraLinear layer) {
    }

    private LoraAdapters(List<Adapted> adapted) {
        this.adapted = List.copyOf(adapted);
    }

    /**
     * Wraps every targeted projection of {@code model} (which must not carry adapters yet) with an adapter whose
     * matrices come from {@code adapterWeights} by their names (see the class comment).
     *
     * @throws AmusedException if no projection matches the targets (as PEFT does)
     */
    public static LoraAdapters attach(UVit2DModel model, Config config, Weights adapterWeights) {
        List<Adapted> adapted = new ArrayList<>();
        model.attentions((attentionName, attention) -> attention.adaptProjections((local, projection) -> {
            String name = attentionName + "." + local;
            if (!config.targets(name)) {
                return projection;
            }
            if (!(projection instanceof Linear base)) {
                throw new IllegalStateException(name + " already carries an adapter");
            }
            LoraLinear layer = new LoraLinear(base, adapterWeights.prefixed(name), config.rank(), config.alpha());
            adapted.add(new Adapted(name, layer));
            return layer;
        }));
        if (adapted.isEmpty()) {
            throw new AmusedException("LoRA target modules " + config.targetModules() + " not found in the transformer");
        }
        return new LoraAdapters(adapted);
    }

    /** The adapter matrices of a {@value #FILE_NAME} file (its {@value #COMPONENT_PREFIX} entries). */
    public static Weights fromFile(FileWeights file) {
        return file.prefixed(COMPONENT_PREFIX.substring(0, COMPONENT_PREFIX.length() - 1));
    }

    /**
     * PEFT's initialisation: A Kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in), B zero, so a freshly
     * attached adapter leaves the outputs unchanged. Seeded by (seed, name).
     */
    public static Weights peftInitialization(long seed) {
        return (name, shape) -> {
            Tensor t = Tensor.zeros(shape);
            if (name.endsWith("lora_A.weight")) {
                double bound = 1.0 / Math.sqrt(shape[1]);
                SplittableRandom random = new SplittableRandom(seed ^ name.hashCode());
                float[] d = t.data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) random.nextDouble(-bound, bound);
                }
            }
            return t;
        };
    }

    /**
     * Folds every adapter of {@code model} into its base weight (see {@link LoraLinear#mergeIntoBase}) and removes
     * the adapters, so sampling costs what it costs without LoRA. Returns how many were merged.
     */
    public static int merge(UVit2DModel model) {
        int[] merged = {0};
        model.attentions((attentionName, attention) -> attention.adaptProjections((local, projection) -> {
            if (projection instanceof LoraLinear lora) {
                merged[0]++;
                return lora.mergeIntoBase();
            }
            return projection;
        }));
        return merged[0];
    }

    /** How many projections carry an adapter. */
    public int count() {
        return adapted.size();
    }

    /** Writes the adapters as diffusers' {@value #FILE_NAME} (float32, metadata {@code format: pt}). */
    public void save(Path file) {
        SafeTensorsWriter writer = new SafeTensorsWriter().metadata("format", "pt");
        parameters(COMPONENT_PREFIX, writer::f32);
        writer.write(file);
    }

    /** The adapter matrices only (not the base weights), by their names. */
    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        for (Adapted a : adapted) {
            a.layer().adapterParameters(prefix + a.name() + ".", sink);
        }
    }
}
