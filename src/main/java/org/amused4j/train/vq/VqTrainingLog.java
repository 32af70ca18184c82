package org.amused4j.train.vq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.tensor.AmusedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A JSON-lines log of the progress reports (one object per report, written as it arrives). */
public final class VqTrainingLog implements VqTrainingListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    /** Starts an empty log at {@code file}. */
    public VqTrainingLog(Path file) {
        this.file = file;
        try {
            Files.writeString(file, "", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot write the training log (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void onProgress(VqProgress p) {
        ObjectNode line = JSON.createObjectNode()
                .put("step", p.step())
                .put("loss_mse", p.lossMse())
                .put("loss_commit", p.lossCommitment())
                .put("loss_total", p.lossTotal())
                .put("usage", p.codesUsed())
                .put("perplexity", p.perplexity())
                .put("revived", p.revived())
                .put("lr", p.learningRate())
                .put("elapsed", p.elapsedSeconds())
                .put("images_per_second", p.imagesPerSecond());
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot append to the training log", e);
        }
    }
}
