package org.amused4j.cli;

import org.amused4j.shapes.ShapesReport;
import org.amused4j.train.recipe.RecipeConfig;
import org.amused4j.train.recipe.ShapesRecipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code amused recipe}: the built-in shapes model, trained from nothing. */
@Command(name = "recipe", mixinStandardHelpOptions = true,
        description = {"Train the built-in amused-shapes model from nothing: shapes dataset, BPE tokenizer, VQ,",
                "text encoder + transformer, then a held-out evaluation. Writes a diffusers folder (loadable",
                "with --model) with its training logs and plots under training/. Deterministic for a seed."},
        footer = {"", "Examples:",
                "  amused recipe --output models/amused-shapes        # the shipped model (~60 min on 2 cores)",
                "  amused recipe --quick --output /tmp/smoke           # every stage for a few steps",
                "  amused recipe --vq models/amused-shapes/vqvae --steps 1000 --output /tmp/try   # the VQ reused"})
final class RecipeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
            description = "The model folder to create (must not exist).")
    Path output;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--quick", description = "A few steps per stage: checks the pipeline, makes no useful model.")
    boolean quick;

    @Option(names = "--vq-steps", description = "VQ optimizer steps (default: the recipe's).")
    Integer vqSteps;

    @Option(names = "--vq", paramLabel = "DIR", description = {"Reuse the vqvae folder of an earlier run instead of "
            + "training a VQ (to try changes to the later stages; the VQ settings are then the folder's)."})
    Path reusedVq;

    @Option(names = "--steps", description = "Text encoder + transformer optimizer steps (default: the recipe's).")
    Integer jointSteps;

    @Override
    public Integer call() {
        RecipeConfig config = (quick ? RecipeConfig.quick() : RecipeConfig.standard()).withSeed(seed);
        config = config.withSteps(vqSteps != null ? vqSteps : config.vqSteps(),
                jointSteps != null ? jointSteps : config.jointSteps());
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        ShapesReport report = ShapesRecipe.run(config, reusedVq, output, new ShapesRecipe.Listener() {
            @Override
            public void stage(String name) {
                out.printf(Locale.ROOT, "== %s (%.0f s)%n", name, (System.nanoTime() - start) / 1e9);
                out.flush();
            }

            @Override
            public void progress(String line) {
                out.println("   " + line.strip().replace("\n", "\n   "));
                out.flush();
            }
        });
        out.printf(Locale.ROOT, "wrote %s in %.1f min%s%n", output, (System.nanoTime() - start) / 60e9,
                report == null ? "" : String.format(Locale.ROOT, "; held-out all-attributes %.1f%%",
                        100 * ShapesReport.allCorrect(report.judgements())));
        return 0;
    }
}
