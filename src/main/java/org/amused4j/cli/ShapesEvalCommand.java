package org.amused4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.kernels.Parallel;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.AmusedModel;
import org.amused4j.pipeline.GenerationOptions;
import org.amused4j.shapes.Colour;
import org.amused4j.shapes.HeldOutGeneration;
import org.amused4j.shapes.ImageFolder;
import org.amused4j.shapes.Judgement;
import org.amused4j.shapes.MaskedTokenLoss;
import org.amused4j.shapes.ShapeCaption;
import org.amused4j.shapes.ShapesEvaluator;
import org.amused4j.shapes.ShapesReport;
import org.amused4j.shapes.VqRoundTrip;
import org.amused4j.tensor.AmusedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code amused shapes-eval}: how well images show their shapes captions, attribute by attribute. */
@Command(name = "shapes-eval", mixinStandardHelpOptions = true,
        description = {"Check each image against its shapes caption (from DIR/metadata.jsonl, else each PNG's",
                "\"prompt\" text chunk as 'amused generate' writes it): background, shape colour, shape, size and",
                "position are read from the pixels. Reports the accuracy per attribute and of all at once, over",
                "all images and over those with a held-out colour/shape pair.",
                "With --generate N it first makes the images: prompt i of N spread over the 504 held-out captions,",
                "seed i, with the model (default: the built-in one), and judges them.",
                "With --reconstruct N it judges the model's VQ instead: the same prompts' scenes drawn, encoded to",
                "tokens and decoded (what a transformer on that VQ can hope for).",
                "With --token-loss N it measures the transformer on true scenes' tokens, part of each grid masked:",
                "the masked-token loss on N of its training images, N fresh scenes and N of held-out pairs."},
        footer = {"", "Examples:",
                "  amused shapes-eval --images generated/",
                "  amused shapes-eval --images generated/ --json > report.json",
                "  amused shapes-eval --generate 200 --save heldout/",
                "  amused shapes-eval --reconstruct 200",
                "  amused shapes-eval --token-loss 300 -m /tmp/my-recipe-run"})
final class ShapesEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--images", paramLabel = "DIR", description = "Folder of captioned images.")
    Path images;

    @Option(names = "--generate", paramLabel = "N", description = "Generate N held-out images and judge them.")
    Integer generate;

    @Option(names = "--reconstruct", paramLabel = "N",
            description = "Draw the scenes of the N prompts --generate N would use (jitter from seed i), pass "
                    + "each through the model's VQ (encode, nearest codes, decode) and judge the result.")
    Integer reconstruct;

    @Option(names = "--token-loss", paramLabel = "N",
            description = "Mask part of the token grids of N training scenes, N fresh scenes of trained pairs and N "
                    + "of held-out pairs, and report the transformer's loss on the masked tokens (a gap between the "
                    + "first two is memorisation).")
    Integer tokenLoss;

    @Option(names = "--mask-share", defaultValue = "0.5",
            description = "With --token-loss: the share of each grid masked (default: ${DEFAULT-VALUE}).")
    double maskShare;

    @Option(names = "--recipe-seed", defaultValue = "0",
            description = "With --token-loss: the seed the model's recipe ran with, whose stream its training "
                    + "images are (default: ${DEFAULT-VALUE}, the built-in model's).")
    long recipeSeed;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--steps", defaultValue = "12", description = "Sampling steps with --generate (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = {"-g", "--guidance"},
            description = "Guidance scale with --generate (default: the model's generation_config.json, else 10).")
    Float guidance;

    @Option(names = "--colour", paramLabel = "WORD",
            description = "With --generate or --reconstruct: prompts with this shape colour (e.g. a word taught "
                    + "by a LoRA: pink) instead of the held-out pairs.")
    String colour;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]", description = "With --generate: apply a LoRA file.")
    String lora;

    @Option(names = "--save", paramLabel = "DIR",
            description = "With --generate or --reconstruct: also write the images and metadata.jsonl there.")
    Path save;

    @Option(names = "--json", description = "Print the report as JSON, with every image's predictions.")
    boolean json;

    @Override
    public Integer call() {
        if ((images != null ? 1 : 0) + (generate != null ? 1 : 0) + (reconstruct != null ? 1 : 0)
                + (tokenLoss != null ? 1 : 0) != 1) {
            throw new AmusedException("give one of --images DIR, --generate N, --reconstruct N or --token-loss N");
        }
        if (tokenLoss != null) {
            return printTokenLoss();
        }
        ShapesReport report = images != null ? judgeFolder() : generate != null ? judgeGenerated()
                : judgeReconstructed();
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? report.json() + "\n" : report.text());
        out.flush(); // a PrintWriter flushes by itself only on println
        return 0;
    }

    private ShapesReport judgeGenerated() {
        requirePositive("--generate", generate);
        Colour shapeColour = shapeColour();
        AmusedModel model = AmusedModel.load(modelOptions.folder(), modelOptions.variant());
        if (lora != null) {
            LoraOption.parse(lora).attachTo(model.transformer());
        }
        GenerationOptions options = model.defaultOptions().withSteps(steps);
        if (guidance != null) {
            options = options.withGuidanceScale(guidance);
        }
        List<ByteImage> made = new ArrayList<>();
        // Colours outside the grammar are candidates as soon as one may appear, so a LoRA's new colour leaking into
        // the old words counts as a wrong colour.
        ShapesReport report = HeldOutGeneration.run(new Amused(model), prompts(generate, shapeColour),
                evaluator(lora != null || isExtra(shapeColour)), options,
                (image, judgement) -> made.add(image));
        saveIfAsked(made, report);
        return report;
    }

    private ShapesReport judgeReconstructed() {
        requirePositive("--reconstruct", reconstruct);
        if (lora != null) {
            throw new AmusedException("--lora changes the transformer; --reconstruct judges the VQ alone");
        }
        Colour shapeColour = shapeColour();
        AmusedModel model = AmusedModel.load(modelOptions.folder(), modelOptions.variant());
        List<ByteImage> made = new ArrayList<>();
        ShapesReport report = VqRoundTrip.run(model.vq(), prompts(reconstruct, shapeColour),
                evaluator(isExtra(shapeColour)), (image, judgement) -> made.add(image));
        saveIfAsked(made, report);
        return report;
    }

    private int printTokenLoss() {
        requirePositive("--token-loss", tokenLoss);
        if (!(maskShare > 0 && maskShare <= 1)) {
            throw new AmusedException("--mask-share must lie in (0, 1], got " + maskShare);
        }
        if (lora != null || save != null || colour != null) {
            throw new AmusedException("--token-loss takes none of --lora, --save, --colour");
        }
        AmusedModel model = AmusedModel.load(modelOptions.folder(), modelOptions.variant());
        List<MaskedTokenLoss.Result> results = MaskedTokenLoss.measure(model, recipeSeed, tokenLoss, maskShare);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(results));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("records of numbers and strings always serialise", e);
            }
        } else {
            out.printf(Locale.ROOT, "masked-token loss, %.0f %% of each grid masked (nats; shape tokens: those "
                    + "that draw the shape)%n", 100 * maskShare);
            out.printf(Locale.ROOT, "%-10s %6s %8s %18s %20s%n", "scenes", "count", "loss", "shape-token loss",
                    "shape-token argmax");
            for (MaskedTokenLoss.Result r : results) {
                out.printf(Locale.ROOT, "%-10s %6d %8.3f %18.3f %19.1f%%%n", r.scenes(), r.count(), r.loss(),
                        r.shapeLoss(), 100 * r.shapeAccuracy());
            }
        }
        out.flush();
        return 0;
    }

    /** The --colour word, or null for the held-out pairs. */
    private Colour shapeColour() {
        return colour == null ? null : Colour.GRAMMAR.stream().filter(c -> c.word().equals(colour))
                .findFirst().or(() -> Colour.EXTRA.stream().filter(c -> c.word().equals(colour)).findFirst())
                .orElseThrow(() -> new AmusedException("unknown colour '" + colour + "'"));
    }

    private static List<ShapeCaption> prompts(int count, Colour shapeColour) {
        return shapeColour == null ? HeldOutGeneration.prompts(count)
                : HeldOutGeneration.promptsWithShapeColour(shapeColour, count);
    }

    private static boolean isExtra(Colour shapeColour) {
        return shapeColour != null && Colour.EXTRA.contains(shapeColour);
    }

    private static ShapesEvaluator evaluator(boolean extendedPalette) {
        return new ShapesEvaluator(extendedPalette ? List.of(Colour.values()) : Colour.GRAMMAR);
    }

    private static void requirePositive(String option, int count) {
        if (count < 1) {
            throw new AmusedException(option + " must be at least 1, got " + count);
        }
    }

    private void saveIfAsked(List<ByteImage> made, ShapesReport report) {
        if (save != null) {
            ImageFolder.write(save, made.size(), made::get, i -> report.judgements().get(i).expected().text());
        }
    }

    private ShapesReport judgeFolder() {
        List<ImageFolder.CaptionedImage> entries = ImageFolder.read(images);
        if (entries.isEmpty()) {
            throw new AmusedException(images.resolve(ImageFolder.METADATA) + ": lists no images");
        }
        // Captions first, so a folder with a foreign caption fails before any image is read.
        ShapeCaption[] captions = new ShapeCaption[entries.size()];
        for (int i = 0; i < captions.length; i++) {
            try {
                captions[i] = ShapeCaption.parse(entries.get(i).caption());
            } catch (AmusedException e) {
                throw new AmusedException(entries.get(i).file() + ": " + e.getMessage(), e);
            }
        }
        boolean extended = Arrays.stream(captions).anyMatch(c -> Colour.EXTRA.contains(c.colour())
                || Colour.EXTRA.contains(c.background()));
        ShapesEvaluator evaluator = evaluator(extended);
        Judgement[] judgements = new Judgement[entries.size()];
        Parallel.forEach(judgements.length, i -> {
            Path file = entries.get(i).file();
            judgements[i] = new Judgement(images.relativize(file).toString(), captions[i],
                    evaluator.predict(ImageFiles.read(file).toRgb()));
        });
        return new ShapesReport(Arrays.asList(judgements));
    }
}
