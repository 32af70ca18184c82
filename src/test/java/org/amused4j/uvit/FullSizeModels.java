package org.amused4j.uvit;

import org.amused4j.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The real amused-256 / amused-512 transformer configs (spec 01 §3) and the amused-512 tensor list
 * (spec A3), kept as test resources.
 */
final class FullSizeModels {
    /** The tensors amused-512 has and amused-256 lacks (spec A3: the 256 list is the 512 list without them). */
    static final String[] RESAMPLE_PREFIXES = {"down_block.downsample.", "up_block.upsample."};

    private FullSizeModels() {
    }

    static UVit2DConfig config(String model) {
        return UVit2DConfig.read(resource(model + "-transformer-config.json"));
    }

    /** amused-512's tensor names and shapes, as listed in spec A3 ("name [d0, d1, ...]" per line). */
    static Map<String, String> amused512Tensors() {
        Map<String, String> tensors = new LinkedHashMap<>();
        try (InputStream in = FullSizeModels.class.getResourceAsStream("amused-512-transformer-tensors.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    int space = line.indexOf(' ');
                    tensors.put(line.substring(0, space), line.substring(space + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tensors;
    }

    static Map<String, String> amused256Tensors() {
        Map<String, String> tensors = new LinkedHashMap<>(amused512Tensors());
        tensors.keySet().removeIf(FullSizeModels::isResampleTensor);
        return tensors;
    }

    static boolean isResampleTensor(String name) {
        return Arrays.stream(RESAMPLE_PREFIXES).anyMatch(name::startsWith);
    }

    /** Shapes in the A3 list's notation. */
    static Map<String, String> describe(Map<String, int[]> shapes) {
        Map<String, String> out = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> out.put(name, Arrays.toString(shape)));
        return out;
    }

    static long parameterCount(Map<String, String> tensors) {
        return tensors.values().stream().mapToLong(s -> Tensor.numel(Arrays.stream(
                s.substring(1, s.length() - 1).split(",")).mapToInt(d -> Integer.parseInt(d.trim())).toArray())).sum();
    }

    private static Path resource(String name) {
        try {
            return Path.of(FullSizeModels.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
