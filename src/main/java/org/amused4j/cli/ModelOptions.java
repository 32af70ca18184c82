package org.amused4j.cli;

import org.amused4j.io.ModelFolder;
import org.amused4j.pipeline.EmbeddedModel;
import org.amused4j.tensor.AmusedException;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;

/** Which model folder and weight variant to load. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "DIR",
            description = "A diffusers aMUSEd folder (e.g. a download of amused/amused-256). "
                    + "Default: the AMUSED_MODEL environment variable, else the built-in amused-shapes model.")
    Path model;

    @Option(names = "--variant", paramLabel = "fp16|bf16",
            description = "Load the half-precision weight files (diffusion_pytorch_model.<variant>.safetensors).")
    String variant;

    Path folder() {
        if (model != null) {
            return model;
        }
        String env = System.getenv("AMUSED_MODEL");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return EmbeddedModel.locate().orElseThrow(() -> new AmusedException("no model given and this build carries "
                + "no built-in model: pass --model DIR (a diffusers amused folder such as a download of "
                + "amused/amused-256) or set AMUSED_MODEL"));
    }

    String variant() {
        if (variant == null) {
            return null;
        }
        String v = variant.toLowerCase(Locale.ROOT);
        if (!v.equals(ModelFolder.FP16) && !v.equals(ModelFolder.BF16)) {
            throw new AmusedException("unknown variant '" + variant + "': use fp16 or bf16 (or leave it out for "
                    + "float32)");
        }
        return v;
    }
}
