package org.amused4j.io;

import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.HalfWeight;
import org.amused4j.tensor.Tensor;
import org.amused4j.tensor.Weight;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.TreeSet;

/**
 * Weights read from one safetensors file, widened to float32 — except {@link #matrix} F16/BF16 tensors of a file
 * opened with {@link #openMapped}, which stay in the mapping. Remembers which tensors were asked for,
 * so that after a model is built {@link #checkAllUsed} can reject files with unexpected extra tensors.
 */
public final class FileWeights implements Weights, AutoCloseable {
    private final SafeTensors file;
    /** Concurrent: a model may load its layers in parallel. */
    private final Set<String> used = ConcurrentHashMap.newKeySet();

    public FileWeights(SafeTensors file) {
        this.file = file;
    }

    /** Opens {@code path}; bad files give an {@link AmusedException} naming the file and the problem. */
    public static FileWeights open(Path path) {
        return new FileWeights(SafeTensors.open(path));
    }

    /**
     * Opens {@code path} so that half-precision {@link #matrix} weights are served from the mapping itself
     * ({@link SafeTensors#openRetained}): the mapping lives as long as the model holding them, and
     * {@link #close} leaves it to the garbage collector.
     */
    public static FileWeights openMapped(Path path) {
        return new FileWeights(SafeTensors.openRetained(path));
    }

    @Override
    public Tensor get(String name, int... shape) {
        check(name, shape);
        return file.load(name);
    }

    @Override
    public Weight matrix(String name, int... shape) {
        check(name, shape);
        HalfWeight.Format half = switch (file.info(name).dtype()) {
            case F16 -> HalfWeight.Format.F16;
            case BF16 -> HalfWeight.Format.BF16;
            default -> null;
        };
        if (half == null || !file.retained()) {
            return Weight.of(file.load(name));
        }
        return new HalfWeight(file.segment(name), half, shape);
    }

    private void check(String name, int[] shape) {
        if (!file.contains(name)) {
            throw new AmusedException(file.file() + ": missing tensor '" + name + "' (expected shape "
                    + Arrays.toString(shape) + ")");
        }
        TensorInfo info = file.info(name);
        if (!Arrays.equals(info.shape(), shape)) {
            throw new AmusedException(file.file() + ": tensor '" + name + "' has shape "
                    + Arrays.toString(info.shape()) + ", the config expects " + Arrays.toString(shape));
        }
        used.add(name);
    }

    /**
     * Fails when the file holds tensors the model never asked for (a file for another config), except the
     * {@code ignorable} names (buffers some exporters add that are not weights).
     */
    public void checkAllUsed(String... ignorable) {
        Set<String> extra = new TreeSet<>(file.names());
        extra.removeAll(used);
        extra.removeAll(Set.of(ignorable));
        if (!extra.isEmpty()) {
            String list = String.join(", ", extra.stream().limit(5).toList()) + (extra.size() > 5 ? ", ..." : "");
            throw new AmusedException(file.file() + ": " + extra.size() + " unexpected tensor(s) not used by the model"
                    + " config: " + list);
        }
    }

    public SafeTensors file() {
        return file;
    }

    @Override
    public void close() {
        file.close();
    }
}
