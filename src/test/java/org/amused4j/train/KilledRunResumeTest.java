package org.amused4j.train;

import org.amused4j.cli.Main;
import org.amused4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code amused train} in a child JVM, killed with SIGKILL once its first checkpoint is complete, then resumed with
 * {@code --resume latest}: the final weights are bit-identical to those of a run that was never interrupted.
 */
class KilledRunResumeTest {
    private static final int STEPS = 40;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void killedAndResumedRunEndsWithTheUninterruptedWeights() throws Exception {
        Path data = TrainingFixtures.captionedFolder(tmp.resolve("data"), 3);
        Path killed = tmp.resolve("killed");
        Process child = new ProcessBuilder(childCommand(trainArgs(data, killed)))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            Path marker = killed.resolve("checkpoint-2").resolve(Checkpoints.MARKER);
            while (!Files.exists(marker) && child.isAlive()) {
                Thread.sleep(5);
            }
            assertThat(child.isAlive()).as("child still training at its first checkpoint; log: %s",
                    Files.readString(tmp.resolve("child.log"))).isTrue();
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertThat(weights(killed)).as("the kill came before the end").doesNotExist();

        Path straight = tmp.resolve("straight");
        train(trainArgs(data, straight));
        List<String> resume = new ArrayList<>(trainArgs(data, killed));
        resume.addAll(List.of("--resume", TrainingRun.LATEST));
        train(resume);

        try (SafeTensors expected = SafeTensors.open(weights(straight));
             SafeTensors actual = SafeTensors.open(weights(killed))) {
            assertThat(actual.names()).isEqualTo(expected.names());
            for (String name : expected.names()) {
                assertThat(actual.load(name).data()).as(name).isEqualTo(expected.load(name).data());
            }
        }
        assertThat(Files.readAllLines(killed.resolve(TrainingLog.FILE_NAME))).hasSize(STEPS);
        assertThat(Checkpoints.complete(killed)).hasSize(2); // --checkpoints-total-limit 2
    }

    private static List<String> trainArgs(Path data, Path output) {
        return List.of("train", "--model", TrainingFixtures.tinyModel().toString(), "--data", data.toString(),
                "--resolution", "32", "--batch-size", "2", "--max-steps", Integer.toString(STEPS), "--lr", "1e-3",
                "--checkpoint-every", "2", "--checkpoints-total-limit", "2", "--cond-dropout", "0.3",
                "--use-8bit-adam", "--seed", "5", "--output", output.toString());
    }

    private static Path weights(Path output) {
        return output.resolve("transformer/diffusion_pytorch_model.safetensors");
    }

    private static void train(List<String> args) {
        StringWriter err = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
    }

    private static List<String> childCommand(List<String> args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        return command;
    }
}
