package org.amused4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.tensor.AmusedException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@value #FILE_NAME}: one JSON object per optimizer step ({@code step}, {@code loss}, {@code lr}, {@code grad_norm}
 * when clipping, {@code seconds} since the run started), flushed per line. A resumed run keeps the lines up to its
 * checkpoint's step and drops the rest (steps the interrupted run did after it, and a line cut off by the kill).
 */
public final class TrainingLog implements AutoCloseable {
    public static final String FILE_NAME = "train_log.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedWriter out;
    private final Path file;

    private TrainingLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Opens the log in {@code dir}, keeping the entries of the first {@code keepSteps} steps of an earlier run. */
    public static TrainingLog open(Path dir, int keepSteps) {
        Path file = dir.resolve(FILE_NAME);
        try {
            List<String> kept = new ArrayList<>();
            if (keepSteps > 0 && Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    JsonNode entry = parse(line);
                    if (entry != null && entry.path("step").asInt(Integer.MAX_VALUE) <= keepSteps) {
                        kept.add(line);
                    }
                }
            }
            Files.write(file, kept, StandardCharsets.UTF_8);
            return new TrainingLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot write the training log (" + e.getMessage() + ")", e);
        }
    }

    public void append(Trainer.StepResult r, double seconds) {
        String line = String.format(Locale.ROOT, "{\"step\":%d,\"loss\":%s,\"lr\":%s%s,\"seconds\":%.3f}", r.step(),
                r.loss(), r.lr(), Float.isNaN(r.gradNorm()) ? "" : ",\"grad_norm\":" + r.gradNorm(), seconds);
        try {
            out.write(line);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot write the training log (" + e.getMessage() + ")", e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot close the training log (" + e.getMessage() + ")", e);
        }
    }
}
