package org.amused4j.cli;

import org.amused4j.io.AtomicFiles;
import org.amused4j.shapes.Colour;
import org.amused4j.shapes.ImageFolder;
import org.amused4j.shapes.ShapeScene;
import org.amused4j.shapes.ShapesDataset;
import org.amused4j.tensor.AmusedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code amused dataset}: procedurally generated training data. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "Generate a training dataset.",
        subcommands = {DatasetCommand.Shapes.class})
final class DatasetCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code amused dataset shapes}: the shapes dataset as an imagefolder, or just its captions. */
    @Command(name = "shapes", mixinStandardHelpOptions = true,
            description = {"Write 64x64 images of one filled shape on a plain background with captions",
                    "'a {small|large} {colour} {shape} at {position} on a {colour} background'",
                    "as PNG files plus metadata.jsonl (Hugging Face imagefolder). The training split never",
                    "shows a green triangle, purple circle, orange square or blue cross."},
            footer = {"", "Examples:",
                    "  amused dataset shapes --count 20000 --seed 1 --output shapes-train",
                    "  amused dataset shapes --split held-out --count 200 --seed 2 --prompts-only -o eval"})
    static final class Shapes implements Callable<Integer> {
        static final String PROMPTS = "prompts.txt";

        @Spec
        CommandSpec spec;

        @Option(names = "--count", required = true, description = "Number of images.")
        int count;

        @Option(names = {"-s", "--seed"}, defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output folder.")
        Path output;

        @Option(names = "--split", defaultValue = "train", paramLabel = "train|held-out|all",
                converter = SplitConverter.class,
                description = "Which colour/shape pairs: train (all but the held-out ones, default), held-out"
                        + " (only green triangle, purple circle, orange square, blue cross) or all.")
        ShapesDataset.Split split;

        @Option(names = "--prompts-only",
                description = "Write only the captions, one per line, to DIR/" + PROMPTS + " (prompts to"
                        + " generate from, e.g. with --split held-out).")
        boolean promptsOnly;

        @Option(names = "--shape-colour", paramLabel = "WORD",
                description = "Give every shape this colour outside the grammar (pink): data for teaching a model "
                        + "a new word by fine-tuning.")
        String shapeColour;

        @Option(names = "--force", description = "Replace an existing dataset in DIR.")
        boolean force;

        @Override
        public Integer call() {
            if (count < 1) {
                throw new AmusedException("--count must be at least 1, got " + count);
            }
            Path marker = output.resolve(promptsOnly ? PROMPTS : ImageFolder.METADATA);
            if (Files.exists(output) && !Files.isDirectory(output)) {
                throw new AmusedException(output + ": is a file, not a folder");
            }
            if (Files.exists(marker) && !force) {
                throw new AmusedException(marker + ": already exists (use --force to overwrite)");
            }
            createFolder();
            List<ShapeScene> scenes = new ShapesDataset(seed, split).next(count);
            if (shapeColour != null) {
                Colour extra = Colour.EXTRA.stream().filter(c -> c.word().equals(shapeColour)).findFirst()
                        .orElseThrow(() -> new AmusedException("--shape-colour takes a colour outside the grammar ("
                                + Colour.EXTRA.stream().map(Colour::word).collect(Collectors.joining(", "))
                                + "), got '" + shapeColour + "'"));
                scenes = scenes.stream().map(s -> s.withShapeColour(extra)).toList();
            }
            if (promptsOnly) {
                String text = scenes.stream().map(s -> s.caption().text() + "\n").collect(Collectors.joining());
                AtomicFiles.write(marker, "prompts", out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
                spec.commandLine().getOut().printf("wrote %d %s prompts (seed %d) to %s%n", count, split.word(),
                        seed, marker);
            } else {
                ImageFolder.write(output, scenes);
                spec.commandLine().getOut().printf("wrote %d %s images (seed %d) to %s%n", count, split.word(),
                        seed, output);
            }
            return 0;
        }

        private void createFolder() {
            try {
                Files.createDirectories(output);
            } catch (IOException e) {
                throw new AmusedException(output + ": cannot create the output folder (" + e.getMessage() + ")", e);
            }
        }
    }

    static final class SplitConverter implements CommandLine.ITypeConverter<ShapesDataset.Split> {
        @Override
        public ShapesDataset.Split convert(String value) {
            try {
                return ShapesDataset.Split.of(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
