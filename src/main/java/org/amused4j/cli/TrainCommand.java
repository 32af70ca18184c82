package org.amused4j.cli;

import org.amused4j.pipeline.AmusedModel;
import org.amused4j.tensor.AmusedException;
import org.amused4j.train.AdamSettings;
import org.amused4j.train.LrSchedule;
import org.amused4j.train.Trainer;
import org.amused4j.train.TrainingConfig;
import org.amused4j.train.TrainingRun;
import org.amused4j.train.data.MissingDataPolicy;
import org.amused4j.train.data.TrainingData;
import org.amused4j.uvit.LoraAdapters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code amused train}: fine-tune the transformer (fully or with LoRA) on captioned images (spec 09). */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune the transformer of an aMUSEd model on captioned images (full or LoRA).",
        footer = {"", "Data: a folder with metadata.jsonl (file_name + text per line) or a .txt caption per image,",
                "or one image with --image and --prompt (StyleDrop). Output: transformer/ (full) or",
                "pytorch_lora_weights.safetensors (LoRA), checkpoint-<step>/ folders and train_log.jsonl.",
                "", "Examples:",
                "  amused train --model amused-256 --data pics/ --resolution 256 --batch-size 8 --lr 1e-4 \\",
                "      --max-steps 1000 --gradient-checkpointing --use-8bit-adam --output run1",
                "  amused train --model amused-256 --image style.png --prompt \"A mushroom in [V] style\" \\",
                "      --use-lora --lr 4e-4 --batch-size 1 --max-steps 2000 --output styledrop",
                "  amused train ... --output run1 --resume latest",
                "  amused train --benchmark --use-8bit-adam --gradient-checkpointing --batch-size 1",
                "", "Memory: ./amused gives training a heap for amused-256 at batch 1 (2 GiB with --use-lora, 7 GiB",
                "otherwise, enough with --use-8bit-adam and --gradient-checkpointing); for more (plain AdamW, larger",
                "batches, amused-512) set AMUSED_JAVA_OPTS, e.g. AMUSED_JAVA_OPTS=-Xmx12g."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder of captioned training images.")
    Path data;

    @Option(names = "--image", paramLabel = "FILE", description = "A single training image (with --prompt).")
    Path image;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The caption of --image.")
    String prompt;

    @Option(names = "--skip-bad-data",
            description = "Skip unreadable images and images without a caption (each is reported) instead of stopping.")
    boolean skipBadData;

    @Option(names = "--resolution", defaultValue = "0",
            description = "Training crop size in pixels (default: the model's, 256 or 512).")
    int resolution;

    @Option(names = "--batch-size", defaultValue = "16", description = "Images per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--grad-accum", defaultValue = "1",
            description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradAccum;

    @Option(names = "--lr", defaultValue = "3e-4", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--lr-scheduler", defaultValue = "constant",
            description = "constant, constant_with_warmup or cosine (default: ${DEFAULT-VALUE}).")
    String lrScheduler;

    @Option(names = "--lr-warmup-steps", defaultValue = "500", description = "Warm-up steps (default: ${DEFAULT-VALUE}).")
    int lrWarmupSteps;

    @Option(names = "--max-steps", description = "Optimizer steps to train (required).")
    Integer maxSteps;

    @Option(names = "--adam-beta1", defaultValue = "0.9") double beta1;
    @Option(names = "--adam-beta2", defaultValue = "0.999") double beta2;
    @Option(names = "--adam-epsilon", defaultValue = "1e-8") double epsilon;
    @Option(names = "--adam-weight-decay", defaultValue = "1e-2") double weightDecay;

    @Option(names = "--use-8bit-adam", description = "bitsandbytes-style AdamW8bit (block-wise 8-bit moments).")
    boolean use8bitAdam;

    @Option(names = "--max-grad-norm", defaultValue = "0", description = "Clip gradients to this L2 norm (0: no clipping).")
    double maxGradNorm;

    @Option(names = "--min-masking-rate", defaultValue = "0") float minMaskingRate;

    @Option(names = "--cond-dropout", defaultValue = "0",
            description = "Probability of training a sample on the empty prompt (classifier-free guidance).")
    double condDropout;

    @Option(names = "--use-lora", description = "Train LoRA adapters; the transformer stays frozen.")
    boolean useLora;

    @Option(names = "--lora-rank", defaultValue = "16") int loraRank;
    @Option(names = "--lora-alpha", defaultValue = "32") double loraAlpha;

    @Option(names = "--lora-targets", defaultValue = "to_q,to_k,to_v", split = ",",
            description = "Adapted modules (default: ${DEFAULT-VALUE}).")
    List<String> loraTargets = new ArrayList<>();

    @Option(names = "--ema", description = "Keep an exponential moving average of the weights and save it.")
    boolean ema;

    @Option(names = "--ema-decay", defaultValue = "0.9999") double emaDecay;
    @Option(names = "--ema-update-after-step", defaultValue = "0") int emaUpdateAfterStep;

    @Option(names = "--gradient-checkpointing",
            description = "Recompute each transformer layer in the backward pass (less memory, ~30% more time).")
    boolean gradientCheckpointing;

    @Option(names = {"-o", "--output"}, defaultValue = "muse_training", paramLabel = "DIR",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--checkpoint-every", defaultValue = "500", description = "Checkpoint interval in steps (0: none).")
    int checkpointEvery;

    @Option(names = "--checkpoints-total-limit", defaultValue = "0", description = "Keep only the newest N checkpoints.")
    int checkpointsTotalLimit;

    @Option(names = "--resume", paramLabel = "latest|DIR", description = "Continue from the newest checkpoint or a folder.")
    String resume;

    @Option(names = {"-s", "--seed"}, defaultValue = "0") long seed;

    @Option(names = "--validation-prompt", paramLabel = "TEXT", description = "Prompt for validation images (repeatable).")
    List<String> validationPrompts = new ArrayList<>();

    @Option(names = "--validation-every", defaultValue = "100") int validationEvery;

    @Option(names = "--benchmark",
            description = "Time a few steps on a full-size random amused-256 with generated images (no download).")
    boolean benchmark;

    @Option(names = "--cache", paramLabel = "DIR", description = "--benchmark: folder for the synthetic model.")
    Path cache;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (benchmark) {
            return new TrainBenchmark(this).run(spec.commandLine().getOut(), err);
        }
        Path folder = modelOptions.folder();
        int steps = requireMaxSteps();
        LrSchedule.named(lrScheduler.toLowerCase(Locale.ROOT), lrWarmupSteps, steps); // fail before the slow part
        TrainingData dataSet = loadData(err);
        long t0 = System.nanoTime();
        AmusedModel model = AmusedModel.load(folder, modelOptions.variant());
        err.printf("loaded %s in %.1fs%n", folder, (System.nanoTime() - t0) / 1e9);
        TrainingConfig config = config(model, steps);
        Trainer trainer = new Trainer(model, dataSet, config);
        new TrainingRun(trainer, folder, output).run(resume, new Progress(err, config.maxSteps()));
        spec.commandLine().getOut().println(output.resolve(useLora ? LoraAdapters.FILE_NAME : "transformer"));
        return 0;
    }

    private int requireMaxSteps() {
        if (maxSteps == null) {
            throw new AmusedException("--max-steps is required");
        }
        return maxSteps;
    }

    TrainingData loadData(PrintWriter err) {
        if ((data == null) == (image == null)) {
            throw new AmusedException("give exactly one of --data DIR and --image FILE");
        }
        if (image != null) {
            return TrainingData.singleImage(image, prompt);
        }
        if (prompt != null) {
            throw new AmusedException("--prompt goes with --image; a --data folder has its own captions");
        }
        TrainingData d = TrainingData.folder(data, skipBadData ? MissingDataPolicy.SKIP : MissingDataPolicy.FAIL,
                err::println);
        err.println(d.size() + " training image(s) in " + data);
        return d;
    }

    TrainingConfig config(AmusedModel model, int steps) {
        int res = resolution > 0 ? resolution : model.transformer().config().sampleSize() * model.vqFactor();
        int multiple = model.vqFactor() * (model.transformer().config().downsample() ? 2 : 1);
        if (res % multiple != 0) {
            throw new AmusedException("--resolution " + res + " must be a multiple of " + multiple);
        }
        LoraAdapters.Config lora = useLora ? new LoraAdapters.Config(loraRank, loraAlpha, loraTargets) : null;
        return new TrainingConfig(res, batchSize, gradAccum, lr, lrScheduler.toLowerCase(Locale.ROOT), lrWarmupSteps,
                steps, new AdamSettings(beta1, beta2, epsilon), weightDecay, use8bitAdam, maxGradNorm, minMaskingRate,
                condDropout, lora, ema ? emaDecay : 0, emaUpdateAfterStep, seed, gradientCheckpointing,
                checkpointEvery, checkpointsTotalLimit, validationPrompts, validationEvery);
    }

    /** The progress bar (terminal only) plus the run's messages. */
    static final class Progress implements TrainingRun.Listener {
        private final PrintWriter err;
        private final ProgressBar bar;
        private final long start = System.nanoTime();
        private int firstStep = -1;

        Progress(PrintWriter err, int maxSteps) {
            this.err = err;
            this.bar = new ProgressBar(System.err, "train", maxSteps, ProgressBar.stderrIsTerminal());
        }

        @Override
        public void onStep(Trainer.StepResult r, int maxSteps) {
            if (firstStep < 0) {
                firstStep = r.step() - 1;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = (r.step() - firstStep) / seconds;
            double eta = (maxSteps - r.step()) / rate;
            bar.update(r.step(), String.format(Locale.ROOT, "loss %.4f  %.2f steps/s  ETA %s", r.loss(), rate,
                    duration(eta)));
            if (r.step() == maxSteps) {
                bar.done(String.format(Locale.ROOT, "%d steps, last loss %.4f", r.step(), r.loss()));
            }
        }

        @Override
        public void onMessage(String message) {
            err.println(message);
        }

        private static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
                    : String.format("%dm%02ds", s / 60, s % 60);
        }
    }
}
