package org.amused4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.io.AtomicFiles;
import org.amused4j.io.FileWeights;
import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.data.BatchSampler;
import org.amused4j.uvit.LoraAdapters;
import org.amused4j.uvit.UVit2DModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training checkpoints: {@code <output>/checkpoint-<step>/} holding the trained weights in diffusers' layout
 * ({@code transformer/} config + {@value UVit2DModel#WEIGHTS_FILE}.safetensors, or {@value LoraAdapters#FILE_NAME}),
 * {@value #OPTIMIZER}, {@value #EMA} (with EMA) and {@value #STATE} (step, random source, data position, the settings
 * that must not change on resume). Every file is written atomically and {@value #MARKER} last, so a folder without the
 * marker (a run killed while saving) is never resumed from and is replaced when that step is saved again.
 */
public final class Checkpoints {
    public static final String MARKER = "COMPLETE";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String EMA = "ema_model.safetensors";
    static final String STATE = "trainer_state.json";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {
    }

    /** Writes {@code trainer}'s checkpoint into {@code output}/checkpoint-&lt;step&gt; and returns that folder. */
    public static Path save(Trainer trainer, Path output, Path transformerConfig) {
        Path dir = output.resolve("checkpoint-" + trainer.stepsDone());
        deleteTree(dir);
        createDirectories(dir);
        saveWeights(trainer, dir, transformerConfig);
        SafeTensorsWriter optimizer = new SafeTensorsWriter();
        trainer.optimizer().saveState(optimizer);
        optimizer.write(dir.resolve(OPTIMIZER));
        if (trainer.ema() != null) {
            SafeTensorsWriter ema = new SafeTensorsWriter();
            trainer.ema().saveState(ema);
            ema.write(dir.resolve(EMA));
        }
        writeJson(dir.resolve(STATE), state(trainer));
        AtomicFiles.write(dir.resolve(MARKER), "checkpoint marker", out -> out.write(new byte[0]));
        return dir;
    }

    /**
     * The trained weights as the end of a run leaves them: the whole transformer as a diffusers component
     * ({@code transformer/}), or the adapters as {@value LoraAdapters#FILE_NAME}.
     */
    public static void saveWeights(Trainer trainer, Path dir, Path transformerConfig) {
        if (trainer.adapters() != null) {
            LoraFiles.save(trainer.adapters(), trainer.config().lora(), dir.resolve(LoraAdapters.FILE_NAME));
            return;
        }
        Path component = dir.resolve("transformer");
        createDirectories(component);
        byte[] config = readAll(transformerConfig);
        AtomicFiles.write(component.resolve("config.json"), "transformer config", out -> out.write(config));
        SafeTensorsWriter writer = new SafeTensorsWriter().metadata("format", "pt");
        trainer.model().transformer().parameters("", writer::f32);
        writer.write(component.resolve(UVit2DModel.WEIGHTS_FILE + ".safetensors"));
    }

    /** Puts {@code trainer} (made with the same settings and data) exactly where the checkpoint {@code dir} was. */
    public static void restore(Trainer trainer, Path dir) {
        if (!Files.isRegularFile(dir.resolve(MARKER))) {
            throw new AmusedException(dir + ": not a complete checkpoint (no " + MARKER + " marker)");
        }
        JsonNode state = readJson(dir.resolve(STATE));
        checkCompatible(trainer, state, dir);
        restoreWeights(trainer, dir);
        try (SafeTensors optimizer = SafeTensors.open(dir.resolve(OPTIMIZER))) {
            trainer.optimizer().loadState(optimizer);
        }
        if (trainer.ema() != null) {
            if (!Files.isRegularFile(dir.resolve(EMA))) {
                throw new AmusedException(dir + ": has no EMA state, but --ema is on");
            }
            try (SafeTensors ema = SafeTensors.open(dir.resolve(EMA))) {
                trainer.ema().loadState(ema);
            }
        }
        JsonNode data = state.get("data");
        int[] order = JSON.convertValue(data.get("order"), int[].class);
        trainer.restorePosition(state.get("step").asInt(), state.get("random_state").asLong(),
                new BatchSampler.State(data.get("epoch").asInt(), data.get("cursor").asInt(), order));
    }

    /** The complete checkpoint with the highest step under {@code output}, or null when there is none. */
    public static Path latest(Path output) {
        List<Path> all = complete(output);
        return all.isEmpty() ? null : all.getLast();
    }

    /** Deletes the oldest complete checkpoints until at most {@code keep} remain (0 keeps all). */
    public static void prune(Path output, int keep) {
        if (keep <= 0) {
            return;
        }
        List<Path> all = complete(output);
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
    }

    /** Complete checkpoint folders under {@code output}, by ascending step. */
    public static List<Path> complete(Path output) {
        if (!Files.isDirectory(output)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(output)) {
            return dirs.filter(d -> NAME.matcher(d.getFileName().toString()).matches())
                    .filter(d -> Files.isRegularFile(d.resolve(MARKER)))
                    .sorted(Comparator.comparingLong(Checkpoints::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new AmusedException(output + ": cannot list checkpoints (" + e.getMessage() + ")", e);
        }
    }

    static long stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static void restoreWeights(Trainer trainer, Path dir) {
        Path file = trainer.adapters() != null ? dir.resolve(LoraAdapters.FILE_NAME)
                : dir.resolve("transformer").resolve(UVit2DModel.WEIGHTS_FILE + ".safetensors");
        String prefix = trainer.adapters() != null ? LoraAdapters.COMPONENT_PREFIX : "";
        try (FileWeights weights = FileWeights.open(file)) {
            for (Parameter p : trainer.trainable()) {
                Tensor saved = weights.get(prefix + p.name(), p.shape());
                System.arraycopy(saved.data(), 0, p.value(), 0, p.numel());
            }
            weights.checkAllUsed();
        }
    }

    private static ObjectNode state(Trainer trainer) {
        TrainingConfig c = trainer.config();
        ObjectNode root = JSON.createObjectNode();
        root.put("step", trainer.stepsDone());
        root.put("random_state", trainer.randomState());
        BatchSampler.State data = trainer.sampler().state();
        ObjectNode d = root.putObject("data");
        d.put("epoch", data.epoch());
        d.put("cursor", data.cursor());
        d.set("order", JSON.valueToTree(data.order()));
        ObjectNode settings = root.putObject("settings");
        compatibility(c).forEach(settings::put);
        return root;
    }

    /** The settings a resumed run must share with the checkpoint (others, like --max-steps, may change). */
    private static Map<String, String> compatibility(TrainingConfig c) {
        return Map.of("mode", c.usesLora() ? "lora r=" + c.lora().rank() + " targets=" + c.lora().targetModules()
                        : "full",
                "optimizer", c.use8bitAdam() ? "adamw8bit" : "adamw",
                "ema", Boolean.toString(c.usesEma()),
                "resolution", Integer.toString(c.resolution()),
                "batch_size", Integer.toString(c.batchSize()));
    }

    private static void checkCompatible(Trainer trainer, JsonNode state, Path dir) {
        JsonNode saved = state.get("settings");
        compatibility(trainer.config()).forEach((key, value) -> {
            String was = saved == null || saved.get(key) == null ? "?" : saved.get(key).asText();
            if (!was.equals(value)) {
                throw new AmusedException(dir + ": checkpoint has " + key + " " + was + ", this run " + value
                        + "; resume with the settings it was made with");
            }
        });
    }

    private static void writeJson(Path file, JsonNode node) {
        AtomicFiles.write(file, "trainer state", out -> out.write(
                JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node)));
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot read trainer state (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot create (" + e.getMessage() + ")", e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot delete (" + e.getMessage() + ")", e);
        }
    }
}
