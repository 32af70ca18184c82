package org.amused4j.cli;

import org.amused4j.tensor.AmusedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code amused} command line: a thin shell over the pipelines. */
@Command(name = "amused", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "aMUSEd text-to-image generation in pure Java.",
        subcommands = {GenerateCommand.class, ImageToImageCommand.class, InpaintCommand.class, InfoCommand.class,
                TrainCommand.class, TrainVqCommand.class, RecipeCommand.class, BenchCommand.class,
                DatasetCommand.class, ShapesEvalCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  amused generate --model amused-256 \"a red fox in the snow\" --seed 42",
                "  amused img2img --model amused-256 --image in.png --strength 0.6 \"a watercolor painting\"",
                "  amused inpaint --model amused-512 --image in.png --mask mask.png \"a yellow flower\"",
                "  amused info --model amused-256"})
public final class Main implements Runnable {
    /** Exit code for a user mistake (bad option, missing file, unreadable image). */
    static final int USER_ERROR = 2;
    /** Exit code when the Java heap ran out (not a user mistake: the heap can be raised). */
    static final int OUT_OF_MEMORY = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof AmusedException) {
                commandLine.getErr().println("amused: error: " + e.getMessage());
                return USER_ERROR;
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("amused: error: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return USER_ERROR;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // The heap is the launcher's choice per mode; the user can raise it, so say how instead of a stack trace.
            // (The work's objects are unreachable once the stack has unwound, so printing is safe here.)
            long limit = Runtime.getRuntime().maxMemory();
            long suggestion = Math.max(2, 2 * ((limit + (1L << 30) - 1) >> 30)); // twice the limit, in whole GiB
            err.println("amused: error: out of memory (Java heap limit " + (limit >> 20) + " MiB); run again with a"
                    + " larger heap, e.g. AMUSED_JAVA_OPTS=-Xmx" + suggestion + "g ./amused ...");
            return OUT_OF_MEMORY;
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"amused4j " + (v == null ? "(development build)" : v)};
        }
    }
}
