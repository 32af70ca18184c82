package org.amused4j.train;

import org.amused4j.image.ImageFiles;
import org.amused4j.image.PipelineImages;
import org.amused4j.io.ModelFolder;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.Generation;
import org.amused4j.pipeline.GenerationOptions;
import org.amused4j.pipeline.Prompts;
import org.amused4j.pipeline.Requests;
import org.amused4j.pipeline.StepListener;
import org.amused4j.tensor.AmusedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A whole fine-tuning run in an output folder: resume, the step loop, the per-step log, checkpoints every N steps
 * (keeping the newest {@code checkpointsTotalLimit}), validation images, and the final weights (EMA ones with EMA):
 * {@code transformer/} for full fine-tuning, {@value org.amused4j.uvit.LoraAdapters#FILE_NAME} for LoRA.
 */
public final class TrainingRun {
    /** Resume from the newest complete checkpoint in the output folder (none: start fresh). */
    public static final String LATEST = "latest";

    /** Progress callbacks (the CLI draws its bar from them). */
    public interface Listener {
        void onStep(Trainer.StepResult result, int maxSteps);

        void onMessage(String message);
    }

    private final Trainer trainer;
    private final Path modelFolder;
    private final Path output;

    public TrainingRun(Trainer trainer, Path modelFolder, Path output) {
        this.trainer = trainer;
        this.modelFolder = modelFolder;
        this.output = output;
    }

    /**
     * Trains up to {@code maxSteps}.
     *
     * @param resume null (start fresh), {@value #LATEST}, or a checkpoint folder
     */
    public void run(String resume, Listener listener) {
        createOutput();
        Path from = resume == null ? null : resume.equals(LATEST) ? Checkpoints.latest(output) : Path.of(resume);
        if (resume != null && from == null) {
            listener.onMessage("no checkpoint in " + output + ", starting a new run");
        }
        if (from != null) {
            Checkpoints.restore(trainer, from);
            listener.onMessage("resumed from " + from + " at step " + trainer.stepsDone());
        }
        TrainingConfig c = trainer.config();
        Path transformerConfig = ModelFolder.open(modelFolder).configPath(ModelFolder.TRANSFORMER);
        long start = System.nanoTime();
        try (TrainingLog log = TrainingLog.open(output, trainer.stepsDone())) {
            while (trainer.stepsDone() < c.maxSteps()) {
                Trainer.StepResult r = trainer.step();
                log.append(r, (System.nanoTime() - start) / 1e9);
                listener.onStep(r, c.maxSteps());
                if (c.checkpointEvery() > 0 && r.step() % c.checkpointEvery() == 0) {
                    Path saved = Checkpoints.save(trainer, output, transformerConfig);
                    Checkpoints.prune(output, c.checkpointsTotalLimit());
                    listener.onMessage("saved " + saved);
                }
                if (c.validationEvery() > 0 && !c.validationPrompts().isEmpty() && r.step() % c.validationEvery() == 0) {
                    validate(r.step()).forEach(f -> listener.onMessage("validation image " + f));
                }
            }
        }
        if (trainer.ema() != null) {
            trainer.ema().copyTo(trainer.trainable());
        }
        Checkpoints.saveWeights(trainer, output, transformerConfig);
    }

    /**
     * Generates one image per validation prompt with the pipeline defaults (12 steps, guidance 10, the run's seed),
     * with the EMA weights swapped in when there are any; returns the files written under {@code validation/}.
     */
    public List<Path> validate(int step) {
        List<Parameter> params = trainer.trainable();
        List<float[]> current = trainer.ema() == null ? null : params.stream().map(p -> p.value().clone()).toList();
        if (trainer.ema() != null) {
            trainer.ema().copyTo(params);
        }
        try {
            Amused amused = new Amused(trainer.model());
            List<Path> files = new ArrayList<>();
            List<String> prompts = trainer.config().validationPrompts();
            for (int i = 0; i < prompts.size(); i++) {
                GenerationOptions options = GenerationOptions.defaults().withSeed(trainer.config().seed());
                Generation g = amused.textToImage(new Requests.TextToImage(Prompts.of(prompts.get(i)), 0, 0, options),
                        StepListener.NONE);
                Path file = output.resolve("validation").resolve("step-" + step + "-" + i + ".png");
                ImageFiles.writePng(file, PipelineImages.toByteImage(g.images(), 0),
                        Map.of("prompt", prompts.get(i), "step", Integer.toString(step), "software", "amused4j"));
                files.add(file);
            }
            return files;
        } finally {
            if (current != null) {
                for (int i = 0; i < params.size(); i++) {
                    System.arraycopy(current.get(i), 0, params.get(i).value(), 0, current.get(i).length);
                }
            }
        }
    }

    private void createOutput() {
        try {
            Files.createDirectories(output);
        } catch (IOException e) {
            throw new AmusedException(output + ": cannot create the output folder (" + e.getMessage() + ")", e);
        }
    }
}
