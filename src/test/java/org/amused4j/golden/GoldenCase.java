package org.amused4j.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** One golden case: its tensors (safetensors), its parameters and tolerances (JSON sidecar). */
public final class GoldenCase {
    private final Path dir;
    private final Path file;
    private final String name;
    private JsonNode json;

    GoldenCase(Path dir, Path file) {
        this.dir = dir;
        this.file = file;
        String f = file.getFileName().toString();
        this.name = f.substring(0, f.length() - ".safetensors".length());
    }

    public String name() {
        return name;
    }

    /** The golden directory, to resolve the paths the sidecar names (models, images). */
    public Path dir() {
        return dir;
    }

    public Path resolve(String relative) {
        return dir.resolve(relative);
    }

    /** The model folder the sidecar names under {@code "model"} (e.g. {@code models/tiny-amused-256/vqvae}). */
    public Path model() {
        return dir.resolve(json().path("model").asText()).normalize();
    }

    public synchronized JsonNode json() {
        if (json == null) {
            try {
                json = new ObjectMapper().readTree(Golden.sidecar(file).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return json;
    }

    /** Opens the case's tensors; close the result. */
    public SafeTensors open() {
        return SafeTensors.open(file);
    }

    public Tensor tensor(String tensorName) {
        try (SafeTensors st = open()) {
            return st.load(tensorName);
        }
    }

    public long[] longs(String tensorName) {
        try (SafeTensors st = open()) {
            return st.loadLongs(tensorName);
        }
    }

    /** The README's suggested absolute tolerance for a tensor, from {@code tolerances.<name>.suggested_atol}. */
    public double atol(String tensorName) {
        JsonNode t = json().path("tolerances").path(tensorName).path("suggested_atol");
        if (!t.isNumber()) {
            throw new AssertionError(name + ": no suggested_atol for '" + tensorName + "' in the sidecar");
        }
        return t.asDouble();
    }

    @Override
    public String toString() {
        return name;
    }
}
