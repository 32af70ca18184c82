package org.amused4j.cli;

import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.kernels.Parallel;
import org.amused4j.perf.PeakRss;
import org.amused4j.perf.SyntheticModel;
import org.amused4j.pipeline.AmusedModel;
import org.amused4j.tensor.AmusedException;
import org.amused4j.train.Trainer;
import org.amused4j.train.TrainingConfig;
import org.amused4j.train.data.MissingDataPolicy;
import org.amused4j.train.data.TrainingData;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code amused train --benchmark}: the training options given on the command line, run for a few steps on the
 * full-size synthetic amused-256 (fp16 files widened to float32, as every load does) with generated noise images;
 * prints seconds per step and the process's peak RSS. Run one configuration per process so the peak is its own.
 */
final class TrainBenchmark {
    private static final int DEFAULT_STEPS = 3;
    private final TrainCommand command;

    TrainBenchmark(TrainCommand command) {
        this.command = command;
    }

    int run(PrintWriter out, PrintWriter err) {
        Path root = command.cache != null ? command.cache
                : Path.of(System.getProperty("java.io.tmpdir"), "amused4j-bench");
        Path folder = SyntheticModel.prepare(root, SyntheticModel.Variant.AMUSED_256, 0, err::println);
        long t0 = System.nanoTime();
        AmusedModel model = AmusedModel.load(folder, "fp16");
        out.printf("machine: %d threads; model %s loaded in %.1fs%n", Parallel.threads(), folder, seconds(t0));
        int steps = command.maxSteps != null ? command.maxSteps : DEFAULT_STEPS;
        TrainingConfig config = command.config(model, steps);
        TrainingData data = TrainingData.folder(noiseImages(root.resolve("train-data"), config.resolution()),
                MissingDataPolicy.FAIL, err::println);
        Trainer trainer = new Trainer(model, data, config);
        out.printf("config: %s, batch %d x accum %d, %dx%d, %s%s, %d trained tensors%n",
                config.usesLora() ? "LoRA r" + config.lora().rank() : "full fine-tuning", config.batchSize(),
                config.gradAccum(), config.resolution(), config.resolution(),
                config.use8bitAdam() ? "AdamW8bit" : "AdamW",
                config.gradientCheckpointing() ? ", gradient checkpointing" : "", trainer.trainable().size());
        double total = 0;
        for (int i = 0; i < steps; i++) {
            long s = System.nanoTime();
            Trainer.StepResult r = trainer.step();
            double t = seconds(s);
            total += i > 0 ? t : 0;
            out.printf("  step %d: %.2f s, loss %.4f, peak RSS %.2f GiB%n", r.step(), t, r.loss(), gib(PeakRss.bytes()));
        }
        if (steps > 1) {
            out.printf("seconds/step (after the first): %.2f%n", total / (steps - 1));
        }
        out.printf("optimizer state: %.2f GiB; peak RSS: %.2f GiB%n", gib(trainer.optimizer().stateBytes()),
                gib(PeakRss.bytes()));
        return 0;
    }

    /** Two random-noise images (one landscape, one portrait, so crops vary) with captions. */
    private static Path noiseImages(Path dir, int resolution) {
        try {
            Files.createDirectories(dir);
            SplittableRandom random = new SplittableRandom(1);
            int[][] sizes = {{resolution * 5 / 4, resolution}, {resolution, resolution * 5 / 4}};
            for (int i = 0; i < sizes.length; i++) {
                ByteImage img = ByteImage.blank(sizes[i][0], sizes[i][1], 3);
                random.nextBytes(img.pixels());
                ImageFiles.writePng(dir.resolve("noise-" + i + ".png"), img, Map.of());
                Files.writeString(dir.resolve("noise-" + i + ".txt"), "random noise number " + i);
            }
            return dir;
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot write benchmark images (" + e.getMessage() + ")", e);
        }
    }

    private static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
