package org.amused4j.cli;

import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.shapes.ImageFolder;
import org.amused4j.shapes.ShapeScene;
import org.amused4j.shapes.ShapesDataset;
import org.amused4j.tensor.AmusedException;
import org.amused4j.train.vq.VqFolder;
import org.amused4j.train.vq.VqTrainer;
import org.amused4j.train.vq.VqTrainingConfig;
import org.amused4j.train.vq.VqTrainingLog;
import org.amused4j.train.vq.VqTrainingPass;
import org.amused4j.vq.VqConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code amused train-vq}: trains a VQ model (the image tokenizer) from scratch. */
@Command(name = "train-vq", mixinStandardHelpOptions = true,
        description = {"Train aMUSEd's VQ-GAN image tokenizer from scratch (reconstruction + codebook +",
                "commitment losses, straight-through estimator, dead-code revival) on square RGB images, and",
                "save it as a diffusers vqvae folder (config.json + diffusion_pytorch_model.safetensors)."},
        footer = {"", "Examples:",
                "  amused train-vq --shapes 20000 --output my-vqvae",
                "  amused train-vq --data shapes-train/ --channels 24,24,24 --codebook-size 512 -o my-vqvae"})
final class TrainVqCommand implements Callable<Integer> {
    static final String LOG_FILE = "training_log.jsonl";

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Training images: an imagefolder (metadata.jsonl; captions ignored) or a folder of PNGs.")
    Path data;

    @Option(names = "--shapes", paramLabel = "N", description = "Train on N generated shapes images (train split).")
    Integer shapes;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output vqvae folder.")
    Path output;

    @Option(names = "--steps", defaultValue = "5000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", defaultValue = "8", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup-steps", description = "Warm-up steps (default: a tenth of --steps, at most 100).")
    Integer warmupSteps;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--channels", defaultValue = "24,24,24", split = ",", paramLabel = "C,C,...",
            description = "block_out_channels, one block per entry (default: ${DEFAULT-VALUE}).")
    List<Integer> channels;

    @Option(names = "--layers-per-block", defaultValue = "0",
            description = "Resnets per encoder block; 0 needs equal --channels (default: ${DEFAULT-VALUE}).")
    int layersPerBlock;

    @Option(names = "--latent-channels", defaultValue = "16", description = "latent_channels (default: ${DEFAULT-VALUE}).")
    int latentChannels;

    @Option(names = "--embed-dim", defaultValue = "16", description = "vq_embed_dim (default: ${DEFAULT-VALUE}).")
    int embedDim;

    @Option(names = "--codebook-size", defaultValue = "512",
            description = "num_vq_embeddings (default: ${DEFAULT-VALUE}).")
    int codebookSize;

    @Option(names = "--foreground-weight", defaultValue = "4",
            description = "Weight in the reconstruction loss of pixels unlike the image's background (default: "
                    + "${DEFAULT-VALUE}; 1 is plain MSE).")
    double foregroundWeight;

    @Option(names = "--replicas", defaultValue = "2",
            description = "Cut each batch into this many parts trained at the same time, one per core; the batch "
                    + "size must be a multiple (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--log-every", defaultValue = "25", description = "Steps between progress lines (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Override
    public Integer call() {
        if ((data == null) == (shapes == null)) {
            throw new AmusedException("give exactly one of --data DIR and --shapes N");
        }
        if (shapes != null && shapes < 1) {
            throw new AmusedException("--shapes must be at least 1, got " + shapes);
        }
        VqConfig model = VqTrainingConfig.smallModel(channels, layersPerBlock, latentChannels, embedDim, codebookSize);
        VqTrainingConfig defaults = VqTrainingConfig.defaults(model, steps, seed);
        VqTrainingConfig config = new VqTrainingConfig(model, batchSize, steps, lr,
                warmupSteps != null ? warmupSteps : defaults.warmupSteps(), defaults.weightDecay(),
                VqTrainingPass.DEFAULT_BETA, seed, logEvery, defaults.deadAfterSteps(), foregroundWeight, replicas);
        List<ByteImage> images = shapes != null ? shapesImages() : folderImages();
        createOutput();
        PrintWriter out = spec.commandLine().getOut();
        VqTrainer.Trained trained = new VqTrainer(config).run(images.size(), images::get,
                new VqTrainingLog(output.resolve(LOG_FILE)).andThen(p -> out.printf(Locale.ROOT,
                        "step %d/%d  mse %.5f  commit %.5f  codes %d  perplexity %.1f  revived %d  lr %.2e  %.1f img/s%n",
                        p.step(), p.steps(), p.lossMse(), p.lossCommitment(), p.codesUsed(), p.perplexity(),
                        p.revived(), p.learningRate(), p.imagesPerSecond())));
        VqFolder.save(trained.model(), trained.imageSize(), output);
        out.printf("saved the VQ model to %s%n", output);
        return 0;
    }

    private List<ByteImage> shapesImages() {
        return new ShapesDataset(seed, ShapesDataset.Split.TRAIN).next(shapes).stream().map(ShapeScene::render)
                .toList();
    }

    private List<ByteImage> folderImages() {
        List<Path> files = Files.isRegularFile(data.resolve(ImageFolder.METADATA))
                ? ImageFolder.read(data).stream().map(ImageFolder.CaptionedImage::file).toList() : pngFiles();
        if (files.isEmpty()) {
            throw new AmusedException(data + ": no training images");
        }
        return files.stream().map(f -> ImageFiles.read(f).toRgb()).toList();
    }

    private List<Path> pngFiles() {
        if (!Files.isDirectory(data)) {
            throw new AmusedException(data + ": image folder not found");
        }
        try (Stream<Path> entries = Files.list(data)) {
            return entries.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).sorted()
                    .toList();
        } catch (IOException e) {
            throw new AmusedException(data + ": cannot list the folder (" + e.getMessage() + ")", e);
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
