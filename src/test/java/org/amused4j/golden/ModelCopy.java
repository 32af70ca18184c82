package org.amused4j.golden;

import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An editable copy of a golden model folder, for tests of broken weight files: the config is copied, the weight
 * file's tensors are held as a mutable name → tensor map (widened to float32) to drop, reshape or add tensors in,
 * and {@link #write()} stores them as the copy's F32 weight file.
 */
public final class ModelCopy {
    private final Path folder;
    private final String weightFile;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    private ModelCopy(Path folder, String weightFile) {
        this.folder = folder;
        this.weightFile = weightFile;
    }

    /** Copies {@code model}'s {@code config.json} into {@code folder} and reads {@code model/weightFile}. */
    public static ModelCopy of(Path model, String weightFile, Path folder) {
        ModelCopy copy = new ModelCopy(folder, weightFile);
        try {
            Files.copy(model.resolve("config.json"), folder.resolve("config.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (SafeTensors file = SafeTensors.open(model.resolve(weightFile))) {
            for (String name : file.names()) {
                copy.tensors.put(name, file.load(name));
            }
        }
        return copy;
    }

    /** A file-for-file copy of the model folder {@code from} (any model, golden or not) at {@code to}. */
    public static Path wholeFolder(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }

    /** The tensors to edit; {@link #write()} stores what this map holds then. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** Writes the tensors as the copy's weight file (F32) and returns the folder. */
    public Path write() {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        tensors.forEach(writer::f32);
        writer.write(folder.resolve(weightFile));
        return folder;
    }
}
