package org.amused4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.tensor.AmusedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A diffusers pipeline folder (e.g. {@code amused/amused-256}): {@code model_index.json} names the components,
 * each in its own sub-folder with a config file and, for models, safetensors weights.
 *
 * <h2>Weight files and variants</h2>
 * A component from the {@code transformers} library keeps its weights in {@code model[.<variant>].safetensors},
 * a {@code diffusers} one in {@code diffusion_pytorch_model[.<variant>].safetensors}. The variant {@code null}
 * means the float32 default file; the others are {@value #FP16} and {@value #BF16}.
 * PyTorch pickles ({@code .bin}) are never loaded.
 *
 * <p>Fallback policy (like diffusers, which loads the default file of a component that was not published in the
 * requested variant): when a variant is requested and the component has <em>no variant file at all</em>, only the
 * default one, the default file is used and {@link WeightFile#fellBack()} is true (also logged). When the component
 * has other variant files but not the requested one, or the default file is requested and missing, that is an
 * error listing the weight files that are there — a precision the user did not ask for is never chosen silently.
 */
public final class ModelFolder {
    public static final String TRANSFORMER = "transformer";
    public static final String VQVAE = "vqvae";
    public static final String TEXT_ENCODER = "text_encoder";
    public static final String TOKENIZER = "tokenizer";
    public static final String SCHEDULER = "scheduler";

    public static final String FP16 = "fp16";
    public static final String BF16 = "bf16";
    private static final Set<String> VARIANTS = Set.of(FP16, BF16);

    private static final String MODEL_INDEX = "model_index.json";
    private static final String SAFETENSORS = ".safetensors";
    private static final Logger LOG = LoggerFactory.getLogger(ModelFolder.class);

    /** One entry of {@code model_index.json}: the sub-folder name and the (library, class) that reads it. */
    public record Component(String name, String library, String className) {
    }

    /**
     * The weight file chosen for a component.
     *
     * @param requestedVariant the variant asked for (null = default float32)
     * @param variant          the variant of {@code path} (null = default file)
     */
    public record WeightFile(String component, Path path, String requestedVariant, String variant) {
        /** True when the requested variant did not exist for this component and the default file is used. */
        public boolean fellBack() {
            return !Objects.equals(requestedVariant, variant);
        }
    }

    private final Path root;
    private final Map<String, Component> components;

    private ModelFolder(Path root, Map<String, Component> components) {
        this.root = root;
        this.components = components;
    }

    /**
     * Opens {@code root} and reads its {@code model_index.json}.
     *
     * @throws AmusedException when the folder or its model_index.json is missing or malformed
     */
    public static ModelFolder open(Path root) {
        if (!Files.exists(root)) {
            throw new AmusedException(root + ": model folder does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new AmusedException(root + ": is a file, expected a diffusers model folder (with "
                    + MODEL_INDEX + ")");
        }
        Path index = root.resolve(MODEL_INDEX);
        if (!Files.exists(index)) {
            throw new AmusedException(root + ": not a diffusers model folder, " + MODEL_INDEX + " is missing");
        }
        Map<String, Component> components = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : Configs.tree(index).properties()) {
            if (e.getKey().startsWith("_")) {
                continue; // _class_name, _diffusers_version, _name_or_path: metadata
            }
            JsonNode pair = e.getValue();
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                throw new AmusedException(index + ": component '" + e.getKey()
                        + "' should be [library, class], found " + pair);
            }
            components.put(e.getKey(), new Component(e.getKey(), pair.get(0).asText(), pair.get(1).asText()));
        }
        return new ModelFolder(root, Collections.unmodifiableMap(components));
    }

    public Path root() {
        return root;
    }

    /** The components {@code model_index.json} lists, in file order. */
    public Map<String, Component> components() {
        return components;
    }

    /** The component's entry in {@code model_index.json}. */
    public Component component(String name) {
        Component c = components.get(name);
        if (c == null) {
            throw new AmusedException(root.resolve(MODEL_INDEX) + ": no component '" + name + "' (lists: "
                    + String.join(", ", components.keySet()) + ")");
        }
        return c;
    }

    /** The component's sub-folder, which must exist. */
    public Path componentDir(String name) {
        component(name);
        Path dir = root.resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new AmusedException(dir + ": folder of component '" + name + "' is missing");
        }
        return dir;
    }

    /**
     * The component's config file, which must exist: {@code scheduler_config.json} for the scheduler,
     * {@code tokenizer_config.json} for the tokenizer, {@code config.json} otherwise.
     */
    public Path configPath(String name) {
        String fileName = switch (name) {
            case SCHEDULER -> "scheduler_config.json";
            case TOKENIZER -> "tokenizer_config.json";
            default -> "config.json";
        };
        Path config = componentDir(name).resolve(fileName);
        if (!Files.isRegularFile(config)) {
            throw new AmusedException(name + ": no " + fileName + " in " + config.getParent());
        }
        return config;
    }

    /**
     * Chooses the component's weight file for {@code variant} (null, {@value #FP16} or {@value #BF16}) under
     * the fallback policy in the class documentation.
     *
     * @throws AmusedException for an unknown variant, or when no suitable file exists (listing those that do)
     */
    public WeightFile weights(String name, String variant) {
        if (variant != null && !VARIANTS.contains(variant)) {
            throw new AmusedException("unknown weight variant '" + variant + "' (allowed: " + FP16 + ", " + BF16
                    + ", or none for float32)");
        }
        Component c = component(name);
        Path dir = componentDir(name);
        String base = "transformers".equals(c.library()) ? "model" : "diffusion_pytorch_model";
        String wanted = fileName(base, variant);
        List<String> found = weightFiles(dir);
        if (found.contains(wanted)) {
            return new WeightFile(name, dir.resolve(wanted), variant, variant);
        }
        String defaultFile = fileName(base, null);
        boolean onlyDefault = found.contains(defaultFile)
                && found.stream().noneMatch(f -> f.startsWith(base + ".") && f.endsWith(SAFETENSORS)
                && !f.equals(defaultFile));
        if (variant != null && onlyDefault) {
            LOG.info("{}: no {} weights, using the float32 file {}", name, variant, defaultFile);
            return new WeightFile(name, dir.resolve(defaultFile), variant, null);
        }
        throw new AmusedException(name + ": no " + wanted + " in " + dir + "; found: "
                + (found.isEmpty() ? "no weight files" : String.join(", ", found))
                + (found.stream().anyMatch(f -> f.endsWith(".bin"))
                ? " (.bin files are PyTorch pickles, which amused4j never loads; convert them to safetensors)" : ""));
    }

    private static String fileName(String base, String variant) {
        return base + (variant == null ? "" : "." + variant) + SAFETENSORS;
    }

    /** Names of the {@code .safetensors} and {@code .bin} files in {@code dir}, sorted. */
    private static List<String> weightFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(SAFETENSORS) || f.endsWith(".bin"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot list (" + e + ")", e);
        }
    }
}
