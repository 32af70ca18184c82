package org.amused4j.cli;

import org.amused4j.image.ImageFiles;
import org.amused4j.kernels.Parallel;
import org.amused4j.shapes.ImageFolder;
import org.amused4j.shapes.Judgement;
import org.amused4j.shapes.ShapeCaption;
import org.amused4j.shapes.ShapesEvaluator;
import org.amused4j.shapes.ShapesReport;
import org.amused4j.tensor.AmusedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code amused shapes-eval}: how well images show their shapes captions, attribute by attribute. */
@Command(name = "shapes-eval", mixinStandardHelpOptions = true,
        description = {"Check each image against its shapes caption (from DIR/metadata.jsonl, else each PNG's",
                "\"prompt\" text chunk as 'amused generate' writes it): background, shape colour, shape, size and",
                "position are read from the pixels. Reports the accuracy per attribute and of all at once, over",
                "all images and over those with a held-out colour/shape pair."},
        footer = {"", "Examples:",
                "  amused shapes-eval --images generated/",
                "  amused shapes-eval --images generated/ --json > report.json"})
final class ShapesEvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of captioned images.")
    Path images;

    @Option(names = "--json", description = "Print the report as JSON, with every image's predictions.")
    boolean json;

    @Override
    public Integer call() {
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
        ShapesEvaluator evaluator = new ShapesEvaluator();
        Judgement[] judgements = new Judgement[entries.size()];
        Parallel.forEach(judgements.length, i -> {
            Path file = entries.get(i).file();
            judgements[i] = new Judgement(images.relativize(file).toString(), captions[i],
                    evaluator.predict(ImageFiles.read(file).toRgb()));
        });
        ShapesReport report = new ShapesReport(Arrays.asList(judgements));
        spec.commandLine().getOut().print(json ? report.json() + "\n" : report.text());
        return 0;
    }
}
