package org.amused4j.cli;

import org.amused4j.tensor.AmusedException;
import org.amused4j.train.LoraFiles;
import org.amused4j.uvit.UVit2DModel;

import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --lora FILE[:SCALE]}: a LoRA file and the factor on its alpha / rank. */
record LoraOption(Path file, double scale) {

    /** Splits at the last ':' when what follows is a number (so paths containing ':' still work). */
    static LoraOption parse(String value) {
        int colon = value.lastIndexOf(':');
        if (colon > 0) {
            try {
                double scale = Double.parseDouble(value.substring(colon + 1));
                return checked(Path.of(value.substring(0, colon)), scale, value);
            } catch (NumberFormatException e) {
                // not a scale: the colon is part of the path
            }
        }
        return checked(Path.of(value), 1.0, value);
    }

    private static LoraOption checked(Path file, double scale, String value) {
        if (!Double.isFinite(scale)) {
            throw new AmusedException("--lora " + value + ": the scale must be a finite number");
        }
        if (!Files.isRegularFile(file)) {
            throw new AmusedException(file + ": LoRA file not found");
        }
        return new LoraOption(file, scale);
    }

    void attachTo(UVit2DModel transformer) {
        LoraFiles.attach(transformer, file, scale);
    }
}
