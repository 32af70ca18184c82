package org.amused4j.train.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.image.PipelineImages;
import org.amused4j.io.AtomicFiles;
import org.amused4j.io.ModelFolder;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.AmusedModel;
import org.amused4j.pipeline.EmbeddedModel;
import org.amused4j.shapes.CanvasTokens;
import org.amused4j.shapes.Colour;
import org.amused4j.shapes.HeldOutGeneration;
import org.amused4j.shapes.ShapeScene;
import org.amused4j.shapes.ShapesDataset;
import org.amused4j.shapes.ShapesReport;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.text.bpe.BpeTrainer;
import org.amused4j.train.LineChart;
import org.amused4j.train.joint.JointTrainer;
import org.amused4j.train.joint.JointTrainingConfig;
import org.amused4j.train.vq.VqDecoderTuner;
import org.amused4j.train.vq.VqFolder;
import org.amused4j.train.vq.VqProgress;
import org.amused4j.train.vq.VqTrainer;
import org.amused4j.train.vq.VqTrainingConfig;
import org.amused4j.train.vq.VqTrainingLog;
import org.amused4j.vq.VqConfig;
import org.amused4j.vq.VqModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The whole built-in model from nothing (issue 7): shapes images → a BPE tokenizer learnt from their captions → a VQ
 * trained on the images, then its decoder alone on their token grids as respelt below ({@link VqDecoderTuner}) →
 * every image VQ-encoded once, its background in one spelling ({@link CanvasTokens}) → a
 * CLIP-architecture text encoder and a U-ViT trained together on the token grids → a diffusers folder
 * ({@code model_index.json}, {@code scheduler/}, {@code tokenizer/}, {@code text_encoder/}, {@code transformer/},
 * {@code vqvae/}) plus {@code training/} (logs, loss plots, codebook usage, held-out evaluation, timings). A
 * function of its {@link RecipeConfig}.
 *
 * <p>The VQ's images also show the {@link Colour#EXTRA} colours (one image in eight, as shape or background), so
 * that a fine-tune can later teach the model a new colour word; the captioned data, and so the text encoder and
 * the transformer, never see them. No image shows a held-out (colour, shape) pair.
 */
public final class ShapesRecipe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIFFUSERS_VERSION = "0.25.0";

    /** Progress of a run. */
    public interface Listener {
        /** A stage begins. */
        void stage(String name);

        /** A line of progress inside a stage. */
        void progress(String line);
    }

    private final RecipeConfig config;
    private final Path reusedVq;
    private final Listener listener;
    private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
    private final long start = System.nanoTime();
    private long stageStart;
    private String stage;

    private ShapesRecipe(RecipeConfig config, Path reusedVq, Listener listener) {
        this.config = config;
        this.reusedVq = reusedVq;
        this.listener = listener;
    }

    /**
     * Runs the recipe into {@code output}, which must not exist yet: everything is made in a sibling folder that
     * is renamed to {@code output} at the end, so a failed or interrupted run leaves no half-made model.
     *
     * @return the held-out evaluation (null when {@link RecipeConfig#evalImages()} is 0)
     */
    public static ShapesReport run(RecipeConfig config, Path output, Listener listener) {
        return run(config, null, output, listener);
    }

    /**
     * As {@link #run(RecipeConfig, Path, Listener)}, but with the VQ of an earlier run ({@code reusedVq}, a
     * diffusers {@code vqvae} folder) instead of training one: the other stages run as always on its tokens, so an
     * experiment on the text encoder or the transformer costs the VQ's quarter of an hour once. The VQ settings of
     * {@code config} are then unused; the codebook size is the folder's.
     *
     * @param reusedVq a vqvae folder, or null to train the VQ
     */
    public static ShapesReport run(RecipeConfig config, Path reusedVq, Path output, Listener listener) {
        if (reusedVq != null && !Files.isRegularFile(reusedVq.resolve("config.json"))) {
            throw new AmusedException(reusedVq + ": not a vqvae folder (no config.json)");
        }
        if (Files.exists(output)) {
            throw new AmusedException(output + " already exists: choose a new folder (or delete it)");
        }
        Path parent = output.toAbsolutePath().getParent();
        Path work;
        try {
            Files.createDirectories(parent);
            work = Files.createTempDirectory(parent, "." + output.getFileName() + ".partial");
        } catch (IOException e) {
            throw new AmusedException(output + ": cannot create the output folder (" + e.getMessage() + ")", e);
        }
        ShapesReport report = new ShapesRecipe(config, reusedVq, listener).make(work);
        try {
            Files.move(work, output, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AmusedException(output + ": cannot move the finished model there from " + work + " ("
                    + e.getMessage() + ")", e);
        }
        return report;
    }

    private ShapesReport make(Path dir) {
        Path training = dir.resolve("training");
        createDirectories(training);

        begin("data");
        List<ShapeScene> scenes = new ShapesDataset(config.seed(), ShapesDataset.Split.TRAIN).next(config.images());
        List<String> captions = scenes.stream().map(s -> s.caption().text()).toList();
        listener.progress(scenes.size() + " training images, " + captions.stream().distinct().count()
                + " distinct captions");

        begin("tokenizer");
        Path tokenizerDir = dir.resolve(ModelFolder.TOKENIZER);
        createDirectories(tokenizerDir);
        List<String[]> merges = BpeTrainer.trainAndWrite(tokenizerDir, captions, config.vocabularySize(),
                config.maxTextLength());
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerDir);
        int vocabulary = tokenizer.eosId() + 1;
        listener.progress(merges.size() + " merges, vocabulary " + vocabulary);

        begin("vq");
        VqModel vq = reusedVq != null ? reuseVq(dir.resolve(ModelFolder.VQVAE)) : trainVq(scenes, dir, training);
        int codebookSize = vq.config().numVqEmbeddings();

        begin("tokens");
        List<int[]> grids = encode(vq, scenes);
        writeCodebookUsage(grids, codebookSize, training.resolve("codebook_usage.json"));

        begin("text encoder + transformer");
        JointTrainingConfig joint = JointTrainingConfig.defaults(config.jointSteps()).withSeed(config.seed())
                .withBatchSize(config.jointBatch());
        JointTrainer trainer = new JointTrainer(
                JointTrainer.freshTextEncoder(JointTrainingConfig.shapesTextEncoder(vocabulary,
                        config.maxTextLength()), config.seed()),
                JointTrainer.freshTransformer(JointTrainingConfig.shapesTransformer(codebookSize,
                        ShapeScene.IMAGE_SIZE / vq.config().downsampleFactor()),
                        config.seed()),
                tokenizer, grids, captions, joint);
        List<double[]> jointLog = new ArrayList<>();
        try (var log = org.amused4j.train.TrainingLog.open(training, 0)) {
            trainer.run((r, seconds) -> {
                log.append(r, seconds);
                jointLog.add(new double[] {r.step(), r.loss(), r.lr()});
                if (r.step() % 50 == 0 || r.step() == joint.steps()) {
                    listener.progress(String.format(java.util.Locale.ROOT, "step %d/%d  loss %.4f  %.0f s",
                            r.step(), joint.steps(), r.loss(), seconds));
                }
            });
        }
        trainer.save(dir);
        plotJoint(jointLog, training);

        begin("folder");
        writeJson(dir.resolve(ModelFolder.SCHEDULER).resolve("scheduler_config.json"), schedulerConfig(codebookSize));
        writeJson(dir.resolve("model_index.json"), modelIndex());
        ObjectNode generation = JSON.createObjectNode();
        generation.put("guidance_scale", config.guidance());
        writeJson(dir.resolve(AmusedModel.GENERATION_CONFIG), generation);
        EmbeddedModel.writeFileList(dir);

        ShapesReport report = null;
        if (config.evalImages() > 0) {
            begin("held-out evaluation");
            AmusedModel model = AmusedModel.load(dir, null);
            report = HeldOutGeneration.run(new Amused(model), config.evalImages(), model.defaultOptions(), null);
            String text = report.text();
            write(training.resolve("heldout_eval.txt"), text);
            write(training.resolve("heldout_eval.json"), report.json());
            listener.progress(text);
        }
        end();
        writeJson(training.resolve("recipe.json"), summary());
        return report;
    }

    private VqModel trainVq(List<ShapeScene> scenes, Path dir, Path training) {
        VqConfig vqConfig = VqTrainingConfig.smallModel(Arrays.stream(config.vqChannels()).boxed().toList(),
                config.vqLayers(), config.vqLatent(), config.vqEmbed(), config.codebookSize());
        VqTrainingConfig defaults = VqTrainingConfig.defaults(vqConfig, config.vqSteps(), config.seed());
        VqTrainingConfig vqTraining = new VqTrainingConfig(vqConfig, config.vqBatch(), config.vqSteps(),
                defaults.learningRate(), defaults.warmupSteps(), defaults.weightDecay(), defaults.beta(),
                config.seed(), defaults.logEvery(), defaults.deadAfterSteps(), config.vqForegroundWeight(),
                defaults.replicas());
        List<VqProgress> vqLog = new ArrayList<>();
        VqModel vq = new VqTrainer(vqTraining).run(scenes.size(), i -> vqScene(scenes, i).render(),
                new VqTrainingLog(training.resolve("vq_log.jsonl")).andThen(p -> {
                    vqLog.add(p);
                    listener.progress(String.format(java.util.Locale.ROOT,
                            "step %d/%d  mse %.5f  codes used %d  perplexity %.0f  %.1f img/s", p.step(), p.steps(),
                            p.lossMse(), p.codesUsed(), p.perplexity(), p.imagesPerSecond()));
                })).model();
        if (config.vqDecoderSteps() > 0) {
            tuneDecoder(vq, scenes, training);
        }
        VqFolder.save(vq, ShapeScene.IMAGE_SIZE, dir.resolve(ModelFolder.VQVAE));
        plotVq(vqLog, training);
        return vq;
    }

    /**
     * The VQ's second stage: its decoder tuned on the same images' token grids with their backgrounds respelt as
     * the joint stage will see them ({@link CanvasTokens}), i.e. on the grids the transformer learns to write.
     */
    private void tuneDecoder(VqModel vq, List<ShapeScene> scenes, Path training) {
        begin("vq decoder");
        CanvasTokens canvas = new CanvasTokens(vq);
        List<VqDecoderTuner.Progress> log = new ArrayList<>();
        new VqDecoderTuner(VqDecoderTuner.Settings.defaults(config.vqDecoderSteps(), config.seed()))
                .run(vq, scenes.size(), i -> vqScene(scenes, i).render(),
                        (i, tokens) -> canvas.apply(vqScene(scenes, i), tokens), p -> {
                            log.add(p);
                            listener.progress(String.format(java.util.Locale.ROOT, "step %d/%d  mse %.5f  %.0f s",
                                    p.step(), p.steps(), p.lossMse(), p.seconds()));
                        });
        double[] steps = log.stream().mapToDouble(VqDecoderTuner.Progress::step).toArray();
        new LineChart("VQ decoder tuning on the transformer's token grids", "step", true)
                .add("reconstruction (mse)", steps, log.stream().mapToDouble(VqDecoderTuner.Progress::lossMse)
                        .toArray())
                .writePng(training.resolve("vq_decoder_loss.png"));
        ObjectNode root = JSON.createObjectNode();
        root.set("progress", JSON.valueToTree(log));
        writeJson(training.resolve("vq_decoder_log.json"), root);
    }

    /** The reused VQ's folder copied into the model (its training logs stay with the run that made it). */
    private VqModel reuseVq(Path target) {
        createDirectories(target);
        try (var files = Files.list(reusedVq)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new AmusedException(reusedVq + ": cannot copy the VQ (" + e.getMessage() + ")", e);
        }
        listener.progress("reused the VQ of " + reusedVq);
        return VqModel.load(target);
    }

    /**
     * VQ training scene i: training scene i, except that every 8th shows the extra colour as the shape's colour
     * and every 16th (offset by 4) as the background.
     */
    private static ShapeScene vqScene(List<ShapeScene> scenes, int i) {
        ShapeScene s = scenes.get(i);
        Colour extra = Colour.EXTRA.get((i / 8) % Colour.EXTRA.size());
        if (i % 8 == 7) {
            s = s.withShapeColour(extra);
        } else if (i % 16 == 3) {
            s = s.withBackground(extra);
        }
        return s;
    }

    /** Every scene's token grid, row-major [h·w], encoded in batches, the background in one spelling. */
    private List<int[]> encode(VqModel vq, List<ShapeScene> scenes) {
        int batch = 64;
        int size = ShapeScene.IMAGE_SIZE;
        int plane = 3 * size * size;
        List<int[]> grids = new ArrayList<>(scenes.size());
        for (int from = 0; from < scenes.size(); from += batch) {
            int n = Math.min(batch, scenes.size() - from);
            float[] pixels = new float[n * plane];
            for (int b = 0; b < n; b++) {
                Tensor t = PipelineImages.toTensor(scenes.get(from + b).render());
                System.arraycopy(t.data(), 0, pixels, b * plane, plane);
            }
            int[] ids = vq.quantize(vq.encode(Tensor.of(pixels, n, 3, size, size)));
            int perImage = ids.length / n;
            for (int b = 0; b < n; b++) {
                grids.add(Arrays.copyOfRange(ids, b * perImage, (b + 1) * perImage));
            }
        }
        listener.progress(grids.size() + " token grids of " + grids.getFirst().length + " tokens");
        respellBackgrounds(vq, scenes, grids);
        return grids;
    }

    /** {@link CanvasTokens} on every grid, in place. */
    private void respellBackgrounds(VqModel vq, List<ShapeScene> scenes, List<int[]> grids) {
        CanvasTokens canvas = new CanvasTokens(vq);
        long replaced = 0;
        for (int i = 0; i < grids.size(); i++) {
            int[] encoded = grids.get(i);
            int[] respelt = canvas.apply(scenes.get(i), encoded);
            for (int k = 0; k < encoded.length; k++) {
                replaced += encoded[k] != respelt[k] ? 1 : 0;
            }
            grids.set(i, respelt);
        }
        listener.progress(String.format(java.util.Locale.ROOT,
                "background tokens given their empty-canvas code: %.1f per grid", replaced / (double) grids.size()));
    }

    private void writeCodebookUsage(List<int[]> grids, int codebookSize, Path file) {
        long[] counts = new long[codebookSize];
        long total = 0;
        for (int[] g : grids) {
            for (int id : g) {
                counts[id]++;
                total++;
            }
        }
        double entropy = 0;
        int used = 0;
        for (long c : counts) {
            if (c > 0) {
                used++;
                double p = c / (double) total;
                entropy -= p * Math.log(p);
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("codebook_size", codebookSize);
        root.put("codes_used", used);
        root.put("perplexity", Math.exp(entropy));
        root.put("tokens", total);
        ArrayNode countsNode = root.putArray("counts");
        Arrays.stream(counts).forEach(countsNode::add);
        writeJson(file, root);
        listener.progress(String.format(java.util.Locale.ROOT,
                "the training images use %d of %d codes (perplexity %.0f)", used, codebookSize, Math.exp(entropy)));
    }

    private static void plotVq(List<VqProgress> log, Path training) {
        if (log.isEmpty()) {
            return;
        }
        double[] steps = log.stream().mapToDouble(VqProgress::step).toArray();
        new LineChart("VQ training loss", "step", true)
                .add("reconstruction (mse)", steps, log.stream().mapToDouble(VqProgress::lossMse).toArray())
                .add("commitment", steps, log.stream().mapToDouble(VqProgress::lossCommitment).toArray())
                .writePng(training.resolve("vq_loss.png"));
        new LineChart("VQ codebook usage (per report window)", "step", false)
                .add("codes used", steps, log.stream().mapToDouble(VqProgress::codesUsed).toArray())
                .add("perplexity", steps, log.stream().mapToDouble(VqProgress::perplexity).toArray())
                .writePng(training.resolve("vq_codebook.png"));
    }

    private static void plotJoint(List<double[]> log, Path training) {
        double[] steps = log.stream().mapToDouble(r -> r[0]).toArray();
        double[] loss = log.stream().mapToDouble(r -> r[1]).toArray();
        int window = Math.max(1, log.size() / 50);
        double[] smooth = IntStream.range(0, loss.length).mapToDouble(i -> {
            int from = Math.max(0, i - window + 1);
            return Arrays.stream(loss, from, i + 1).average().orElse(Double.NaN);
        }).toArray();
        new LineChart("Text encoder + transformer: masked-token loss", "step", true)
                .add("loss", steps, loss)
                .add("moving average (" + window + " steps)", steps, smooth)
                .writePng(training.resolve("transformer_loss.png"));
    }

    private static ObjectNode schedulerConfig(int codebookSize) {
        ObjectNode s = JSON.createObjectNode();
        s.put("_class_name", "AmusedScheduler");
        s.put("_diffusers_version", DIFFUSERS_VERSION);
        s.put("mask_token_id", codebookSize);
        s.put("masking_schedule", "cosine");
        return s;
    }

    private static ObjectNode modelIndex() {
        ObjectNode m = JSON.createObjectNode();
        m.put("_class_name", "AmusedPipeline");
        m.put("_diffusers_version", DIFFUSERS_VERSION);
        m.putArray(ModelFolder.SCHEDULER).add("diffusers").add("AmusedScheduler");
        m.putArray(ModelFolder.TEXT_ENCODER).add("transformers").add("CLIPTextModelWithProjection");
        m.putArray(ModelFolder.TOKENIZER).add("transformers").add("CLIPTokenizer");
        m.putArray(ModelFolder.TRANSFORMER).add("diffusers").add("UVit2DModel");
        m.putArray(ModelFolder.VQVAE).add("diffusers").add("VQModel");
        return m;
    }

    private ObjectNode summary() {
        ObjectNode root = JSON.createObjectNode();
        root.set("config", JSON.valueToTree(config));
        if (reusedVq != null) {
            root.put("reused_vq", reusedVq.toAbsolutePath().toString());
        }
        ObjectNode stages = root.putObject("stage_seconds");
        stageSeconds.forEach(stages::put);
        root.put("total_seconds", (System.nanoTime() - start) / 1e9);
        root.put("java", Runtime.version().toString());
        root.put("cores", Runtime.getRuntime().availableProcessors());
        return root;
    }

    private void begin(String name) {
        end();
        stage = name;
        stageStart = System.nanoTime();
        listener.stage(name);
    }

    private void end() {
        if (stage != null) {
            stageSeconds.put(stage, (System.nanoTime() - stageStart) / 1e9);
            stage = null;
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot create the folder (" + e.getMessage() + ")", e);
        }
    }

    private static void writeJson(Path file, ObjectNode node) {
        createDirectories(file.getParent());
        write(file, node.toPrettyString() + "\n");
    }

    private static void write(Path file, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, file.getFileName().toString(), out -> out.write(bytes));
    }
}
