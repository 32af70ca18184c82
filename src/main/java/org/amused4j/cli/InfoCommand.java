package org.amused4j.cli;

import org.amused4j.io.ModelFolder;
import org.amused4j.io.WeightFileSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code amused info}: what a model folder holds, without loading the weights. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a model folder's components, classes, weight files, parameter counts, dtypes and sizes.",
        footer = {"", "Example:", "  amused info --model amused-256 --variant fp16"})
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelFolder folder = ModelFolder.open(modelOptions.folder());
        String variant = modelOptions.variant();
        out.println("model folder: " + folder.root());
        long total = 0;
        for (ModelFolder.Component c : folder.components().values()) {
            out.printf("%-13s %s (%s)%n", c.name(), c.className(), c.library());
            if (c.name().equals(ModelFolder.TOKENIZER) || c.name().equals(ModelFolder.SCHEDULER)) {
                continue;
            }
            ModelFolder.WeightFile file = folder.weights(c.name(), variant);
            WeightFileSummary summary = WeightFileSummary.of(file.path());
            total += summary.parameterCount();
            out.printf("              %s%s%n              %s%n", file.path().getFileName(),
                    file.fellBack() ? " (no " + variant + " file; float32 used)" : "", summary.describe());
        }
        out.printf("total parameters: %,d%n", total);
        return 0;
    }
}
