package org.amused4j.cli;

import org.amused4j.image.ImageFiles;
import org.amused4j.image.PipelineImages;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.AmusedModel;
import org.amused4j.pipeline.Generation;
import org.amused4j.pipeline.GenerationOptions;
import org.amused4j.pipeline.Prompts;
import org.amused4j.pipeline.StepListener;
import org.amused4j.tensor.AmusedException;
import org.amused4j.uvit.LoraAdapters;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/** What generate, img2img and inpaint share: prompts, sampling options, model, output files. */
abstract class GenerationCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(arity = "0..*", paramLabel = "PROMPT", description = "The prompt (several words are joined).")
    List<String> promptWords = new ArrayList<>();

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT",
            description = "A prompt; repeat the option for a batch of prompts.")
    List<String> prompts = new ArrayList<>();

    @Option(names = {"-n", "--negative-prompt"}, paramLabel = "TEXT",
            description = "What to steer away from (one for all prompts, or one per prompt). Default: \"\".")
    List<String> negativePrompts = new ArrayList<>();

    @Option(names = "--steps", defaultValue = "12", description = "Sampling steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = {"-g", "--guidance"},
            description = "Classifier-free guidance scale; 1 or less turns it off (default: the model's "
                    + "generation_config.json, else 10).")
    Float guidance;

    @Option(names = {"-s", "--seed"}, description = "Random seed (default: a new one each run, printed).")
    Long seed;

    @Option(names = "--num-images", defaultValue = "1", description = "Images per prompt (default: ${DEFAULT-VALUE}).")
    int imagesPerPrompt;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE|DIR",
            description = "PNG file, or a folder (existing or ending in /). Default: amused-<seed>.png here.")
    String output;

    @Option(names = "--force", description = "Overwrite existing output files.")
    boolean force;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]",
            description = "Apply a LoRA file (pytorch_lora_weights.safetensors); SCALE multiplies alpha/rank (default 1).")
    String lora;

    @Option(names = "--merge-lora",
            description = "Fold the --lora adapters into the weights once, so each step costs what it costs without LoRA.")
    boolean mergeLora;

    /** The pipeline's name for the PNG metadata. */
    abstract String pipelineName();

    /** Checks and reads this command's own inputs before the model loads. */
    abstract void prepare();

    /** Runs the pipeline. */
    abstract Generation generate(Amused amused, Prompts prompts, GenerationOptions options, StepListener listener);

    /** Extra PNG metadata of this command (strength, input file names). */
    Map<String, String> extraMetadata() {
        return Map.of();
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Prompts promptSet = promptSet();
        long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(0, 1L << 31);
        // Checked before the model loads; the guidance may still become the model's default.
        GenerationOptions options = GenerationOptions.defaults().withSteps(steps)
                .withGuidanceScale(guidance != null ? guidance : GenerationOptions.defaults().guidanceScale())
                .withImagesPerPrompt(imagesPerPrompt).withSeed(actualSeed);
        List<Path> files = OutputFiles.plan(output, promptSet.size() * imagesPerPrompt, actualSeed, force);
        prepare();

        long t0 = System.nanoTime();
        Path folder = modelOptions.folder();
        AmusedModel model = AmusedModel.load(folder, modelOptions.variant());
        if (lora != null) {
            LoraOption.parse(lora).attachTo(model.transformer());
            if (mergeLora) {
                LoraAdapters.merge(model.transformer());
            }
        } else if (mergeLora) {
            throw new AmusedException("--merge-lora needs --lora FILE");
        }
        err.printf("loaded %s in %.1fs%n", folder, (System.nanoTime() - t0) / 1e9);
        if (guidance == null) {
            options = options.withGuidanceScale(model.defaultGuidance());
        }

        ProgressBar bar = new ProgressBar(System.err, pipelineName(), steps, ProgressBar.stderrIsTerminal());
        Generation result = generate(new Amused(model), promptSet, options,
                e -> bar.update(e.step() + 1, e.stillMasked() + " tokens masked"));
        bar.done(result.batch() + " image(s), seed " + actualSeed);

        for (int i = 0; i < files.size(); i++) {
            Map<String, String> meta = metadata(promptSet, i % promptSet.size(), options, model.name());
            write(files.get(i), result, i, meta);
            spec.commandLine().getOut().println(files.get(i));
        }
        return 0;
    }

    private Prompts promptSet() {
        List<String> all = new ArrayList<>(prompts);
        if (!promptWords.isEmpty()) {
            all.addFirst(String.join(" ", promptWords));
        }
        if (all.isEmpty()) {
            throw new AmusedException("no prompt given: pass it as the last argument or with --prompt");
        }
        return new Prompts(all, negativePrompts);
    }

    private Map<String, String> metadata(Prompts promptSet, int promptIndex, GenerationOptions options,
                                         String modelName) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("prompt", promptSet.prompts().get(promptIndex));
        meta.put("negative_prompt", promptSet.negativePrompts().get(promptIndex));
        meta.put("seed", Long.toString(options.seed()));
        meta.put("steps", Integer.toString(steps));
        meta.put("guidance_scale", Float.toString(options.guidanceScale()));
        meta.put("model", modelName + (modelOptions.variant == null ? "" : " (" + modelOptions.variant() + ")"));
        meta.put("pipeline", pipelineName());
        if (lora != null) {
            meta.put("lora", lora);
        }
        meta.putAll(extraMetadata());
        meta.put("software", "amused4j");
        return meta;
    }

    private static void write(Path file, Generation result, int index, Map<String, String> meta) {
        ImageFiles.writePng(file, PipelineImages.toByteImage(result.images(), index), meta);
    }
}
