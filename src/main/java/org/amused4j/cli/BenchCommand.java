package org.amused4j.cli;

import org.amused4j.kernels.KernelTimes;
import org.amused4j.kernels.Parallel;
import org.amused4j.kernels.WeightPanels;
import org.amused4j.perf.CoreLatency;
import org.amused4j.perf.FmaPeak;
import org.amused4j.perf.PeakRss;
import org.amused4j.perf.SyntheticModel;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.AmusedModel;
import org.amused4j.pipeline.GenerationOptions;
import org.amused4j.pipeline.Prompts;
import org.amused4j.pipeline.Requests;
import org.amused4j.pipeline.StepListener;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextOutput;
import org.amused4j.uvit.Conditioning;
import org.amused4j.uvit.Trace;
import org.amused4j.uvit.UVit2DConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code amused bench}: the end-to-end benchmark, no download needed. Builds amused-256 and/or amused-512 at full
 * size with seeded random weights (written once as fp16 safetensors, so the real loading path is measured), then
 * times each stage of text-to-image generation and prints GFLOP/s against the machine's measured FMA peak.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark full-size amused-256/512 (random weights, no download): per-stage times, GFLOP/s, "
                + "FMA peak, peak RSS.",
        footer = {"", "Examples:", "  amused bench", "  amused bench --model-size 512 --repeat 3",
                "  amused bench --model-size 256 --only transformer --repeat 4 --kernels",
                "  AMUSED_JAVA_OPTS=-Damused.threads=1 amused bench --model-size 256 --only transformer"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model-size", defaultValue = "all", description = "256, 512 or all (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--cache", description = "Folder for the synthetic models (default: <tmp>/amused4j-bench).")
    Path cache;

    @Option(names = "--repeat", defaultValue = "2",
            description = "Timed repetitions of each stage after a warm-up (three passes for the transformer); "
                    + "the best is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--only", description = "Run one stage: text, transformer, decode or generate.")
    String only;

    @Option(names = "--kernels", description = "After each stage, the time per run of every kernel (by name and "
            + "matrix shape) over the timed runs, and the time outside the kernels.")
    boolean kernels;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path root = cache != null ? cache : Path.of(System.getProperty("java.io.tmpdir"), "amused4j-bench");
        out.printf("machine: %d threads, %s %s; JDK %s%n", Parallel.threads(), System.getProperty("os.arch"),
                System.getProperty("os.name"), Runtime.version());
        double peak = FmaPeak.measure();
        out.printf("FMA peak: %.1f GFLOP/s%n", peak);
        printCoreLatency(out, "");
        List<SyntheticModel.Variant> variants = switch (size) {
            case "256" -> List.of(SyntheticModel.Variant.AMUSED_256);
            case "512" -> List.of(SyntheticModel.Variant.AMUSED_512);
            case "all" -> List.of(SyntheticModel.Variant.AMUSED_256, SyntheticModel.Variant.AMUSED_512);
            default -> throw new org.amused4j.tensor.AmusedException("--model-size must be 256, 512 or all, got "
                    + size);
        };
        for (SyntheticModel.Variant variant : variants) {
            Path folder = SyntheticModel.prepare(root, variant, 0, msg -> spec.commandLine().getErr().println(msg));
            long t0 = System.nanoTime();
            AmusedModel model = AmusedModel.load(folder, "fp16");
            double load = seconds(t0);
            out.printf("%n%s (%s)%n  %-34s %8.2f s%n", variant.label(), folder, "load (fp16 files)", load);
            benchmark(out, model, peak);
            out.printf("  %-34s %8.2f GiB%n", "peak RSS so far", PeakRss.bytes() / (double) (1L << 30));
        }
        printCoreLatency(out, " (at the end)");
        return 0;
    }

    /**
     * The core-to-core round trip, where more than one thread runs: the machine's cores may or may not share an L3
     * cache, which moves the multi-threaded times by up to ~20 % (see {@link CoreLatency}).
     */
    private static void printCoreLatency(PrintWriter out, String when) {
        if (Parallel.threads() > 1) {
            out.printf("core-to-core round trip%s: %.0f ns%n", when, CoreLatency.roundTripNanos());
        }
    }

    private void benchmark(PrintWriter out, AmusedModel model, double peak) {
        UVit2DConfig tc = model.transformer().config();
        int grid = tc.sampleSize();
        if (runs("text")) {
            int[][] ids = model.tokenizer().encode(List.of("a photo of an astronaut riding a horse on mars"));
            Timing timing = best(() -> model.textEncoder().forward(ids));
            double t = timing.best();
            out.printf("  %-34s %8.3f s%n", "CLIP text encoder, one prompt", t);
            printKernels(out, timing);
        }
        if (runs("transformer")) {
            int[][] ids = model.tokenizer().encode(List.of("", "a red fox in the snow"));
            ClipTextOutput text = model.textEncoder().forward(ids);
            float[] micro = new float[10];
            for (int r = 0; r < 2; r++) {
                float side = grid * model.vqFactor();
                System.arraycopy(new float[] {side, side, 0, 0, 6}, 0, micro, r * 5, 5);
            }
            Conditioning c = model.transformer().condition(text.penultimate(), text.textEmbeds(),
                    Tensor.of(micro, 2, 5));
            int[] tokens = randomTokens(2 * grid * grid, tc.codebookSize());
            Runnable pass = () -> model.transformer().logits(tokens, grid, grid, c, Trace.NONE);
            // As in a generation: the first pass lays the weights out as panels, the timed ones use them.
            long flops;
            Timing timing;
            try (WeightPanels panels = WeightPanels.open()) {
                flops = panels.call(() -> flops(pass));
                // Two more untimed passes: the second and third of a JVM still run 3-10 % slow (the JIT's last
                // compilations, the activation shelves' first promotion), which a generation's 12 steps absorb.
                timing = panels.call(() -> best(pass, 2));
            }
            double t = timing.best();
            // Measured again beside the passes: a reading taken while the host ran both vCPUs on one core (it
            // happens) is about half the machine's peak, and the larger reading is the machine's.
            double machinePeak = Math.max(peak, FmaPeak.measure());
            out.printf("  %-34s %8.3f s  %6.1f GFLOP/s (%.0f%% of FMA peak %.1f; %.1f GFLOP)%n",
                    "transformer forward, batch 2", t, flops / t / 1e9, 100 * flops / t / 1e9 / machinePeak,
                    machinePeak, flops / 1e9);
            printKernels(out, timing);
        }
        if (runs("decode")) {
            int[] tokens = randomTokens(grid * grid, model.vq().config().numVqEmbeddings());
            long flops = flops(() -> model.vq().decode(tokens, 1, grid, grid));
            Timing timing = best(() -> model.vq().decode(tokens, 1, grid, grid));
            double t = timing.best();
            int side = grid * model.vqFactor();
            out.printf("  %-34s %8.3f s  %6.1f GFLOP/s (%.1f GFLOP)%n", "VQ decode " + side + "x" + side, t,
                    flops / t / 1e9, flops / 1e9);
            printKernels(out, timing);
        }
        if (runs("generate")) {
            Amused amused = new Amused(model);
            Requests.TextToImage request = new Requests.TextToImage(Prompts.of("a red fox in the snow"), 0, 0,
                    GenerationOptions.defaults().withSeed(1));
            Timing timing = best(() -> amused.textToImage(request, StepListener.NONE));
            double t = timing.best();
            out.printf("  %-34s %8.2f s%n", "text-to-image, 12 steps, guidance 10", t);
            printKernels(out, timing);
        }
    }

    private boolean runs(String stage) {
        return only == null || only.equals(stage);
    }

    /** The floating-point operations of one run of {@code work} (which also warms it up). */
    private static long flops(Runnable work) {
        KernelTimes.start();
        work.run();
        return KernelTimes.flops(KernelTimes.stop());
    }

    /**
     * Best and mean wall time of {@code repeat} runs after one untimed warm-up run, with {@code --kernels} also the
     * timed runs' kernels.
     */
    private Timing best(Runnable work) {
        return best(work, 1);
    }

    /** {@link #best(Runnable)} after {@code warmUps} untimed runs. */
    private Timing best(Runnable work, int warmUps) {
        for (int i = 0; i < warmUps; i++) {
            work.run();
        }
        int runs = Math.max(1, repeat);
        double best = Double.MAX_VALUE;
        double total = 0;
        if (kernels) {
            KernelTimes.start();
        }
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            work.run();
            double t = seconds(t0);
            best = Math.min(best, t);
            total += t;
        }
        List<KernelTimes.Entry> timed = kernels ? KernelTimes.stop() : List.of();
        return new Timing(best, total / runs, runs, timed, Math.max(1, KernelTimes.callers()));
    }

    /**
     * A stage's timed runs: the best and mean wall time, and (with --kernels) what the kernels took on how many
     * threads calling them at once.
     */
    private record Timing(double best, double mean, int runs, List<KernelTimes.Entry> kernels, int callers) {
    }

    private static void printKernels(PrintWriter out, Timing timing) {
        if (timing.kernels().isEmpty()) {
            return;
        }
        List<KernelTimes.Entry> entries = timing.kernels();
        int callers = timing.callers();
        // Kernels called from several threads at once (the U-ViT's image groups) are timed on each: their times add
        // up to callers × the wall time, and a kernel's rate is that of all the callers together.
        double threadTime = timing.mean() * callers;
        int runs = timing.runs();
        out.printf("    kernels per run (mean of %d timed runs, %.3f s%s):%n", runs, timing.mean(),
                callers == 1 ? "" : "; called from " + callers + " threads at once, times summed over them");
        double inKernels = 0;
        for (KernelTimes.Entry e : entries) {
            double ms = e.nanos() / 1e6 / runs;
            inKernels += ms;
            String rate = e.flops() == 0 ? "" : String.format("%7.1f GFLOP/s",
                    callers * e.flops() / (double) e.nanos());
            out.printf("      %-34s %7.1f calls %9.1f ms %5.1f %%%s%n", e.kernel(), e.calls() / (double) runs, ms,
                    100 * ms / 1e3 / threadTime, rate.isEmpty() ? "" : "  " + rate);
        }
        double outside = threadTime * 1e3 - inKernels;
        out.printf("      %-34s %7s       %9.1f ms %5.1f %%%n", "outside the kernels", "", outside,
                100 * outside / 1e3 / threadTime);
    }

    private static int[] randomTokens(int n, int codebook) {
        SplittableRandom random = new SplittableRandom(7);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = random.nextInt(codebook);
        }
        return tokens;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
