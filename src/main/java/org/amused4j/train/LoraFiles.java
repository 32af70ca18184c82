package org.amused4j.train;

import org.amused4j.io.FileWeights;
import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.tensor.AmusedException;
import org.amused4j.uvit.LoraAdapters;
import org.amused4j.uvit.UVit2DModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@value LoraAdapters#FILE_NAME} files as training writes and generation reads them. diffusers' file stores neither
 * rank nor alpha; loaded without an alpha, diffusers uses alpha = rank (scaling 1), although training used
 * alpha / rank (2 by default). So the file written here also carries {@value #ALPHA_KEY} and {@value #RANK_KEY} as
 * metadata (ignored by diffusers), and {@link #attach} uses them when present.
 */
public final class LoraFiles {
    public static final String ALPHA_KEY = "lora_alpha";
    public static final String RANK_KEY = "r";
    private static final String A_SUFFIX = ".lora_A.weight";

    private LoraFiles() {
    }

    public static void save(LoraAdapters adapters, LoraAdapters.Config config, Path file) {
        SafeTensorsWriter writer = new SafeTensorsWriter().metadata("format", "pt")
                .metadata(ALPHA_KEY, Double.toString(config.alpha()))
                .metadata(RANK_KEY, Integer.toString(config.rank()));
        adapters.parameters(LoraAdapters.COMPONENT_PREFIX, writer::f32);
        writer.write(file);
    }

    /**
     * Attaches the adapters of {@code file} to {@code transformer}: the adapted modules are those the file names, the
     * rank comes from the matrices' shapes, alpha from the metadata (else the rank, as diffusers assumes), and
     * {@code scale} multiplies alpha / rank.
     */
    public static LoraAdapters attach(UVit2DModel transformer, Path file, double scale) {
        try (FileWeights weights = FileWeights.open(file)) {
            SafeTensors st = weights.file();
            List<String> modules = new ArrayList<>();
            int rank = -1;
            for (String name : st.names()) {
                if (name.startsWith(LoraAdapters.COMPONENT_PREFIX) && name.endsWith(A_SUFFIX)) {
                    modules.add(name.substring(LoraAdapters.COMPONENT_PREFIX.length(), name.length() - A_SUFFIX.length()));
                    rank = st.info(name).shape()[0];
                }
            }
            if (modules.isEmpty()) {
                throw new AmusedException(file + ": no transformer LoRA weights (" + LoraAdapters.COMPONENT_PREFIX
                        + "*" + A_SUFFIX + ")");
            }
            String alphaText = st.metadata().get(ALPHA_KEY);
            double alpha = alphaText == null ? rank : parse(file, alphaText);
            LoraAdapters adapters = LoraAdapters.attach(transformer,
                    new LoraAdapters.Config(rank, alpha * scale, modules), LoraAdapters.fromFile(weights));
            weights.checkAllUsed();
            return adapters;
        }
    }

    private static double parse(Path file, String alpha) {
        try {
            return Double.parseDouble(alpha);
        } catch (NumberFormatException e) {
            throw new AmusedException(file + ": metadata " + ALPHA_KEY + " '" + alpha + "' is not a number", e);
        }
    }
}
