package org.amused4j.cli;

import org.amused4j.image.ImageFiles;
import org.amused4j.io.SafeTensors;
import org.amused4j.train.Checkpoints;
import org.amused4j.train.LoraFiles;
import org.amused4j.train.TrainingFixtures;
import org.amused4j.train.TrainingLog;
import org.amused4j.uvit.LoraAdapters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code amused train} end to end on the tiny model, and {@code generate --lora} with what it wrote. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private static CliRun run(List<String> args) {
        return CliRun.of(args.toArray(String[]::new));
    }

    private static List<String> args(String... more) {
        List<String> all = new ArrayList<>(List.of("train", "--model", TrainingFixtures.tinyModel().toString(),
                "--resolution", "32", "--batch-size", "1"));
        all.addAll(Arrays.asList(more));
        return all;
    }

    @Test
    void loraTrainingOnOneImageWritesAdaptersThatGenerateApplies() throws IOException {
        Path data = TrainingFixtures.captionedFolder(tmp.resolve("data"), 1);
        Path out = tmp.resolve("run");
        CliRun r = run(args("--image", data.resolve("img0.png").toString(), "--prompt", "a [V] picture", "--use-lora",
                "--lora-rank", "4", "--lora-alpha", "8", "--lr", "1e-2", "--max-steps", "3", "--checkpoint-every", "2",
                "--ema", "--validation-prompt", "a [V] cat", "--validation-every", "3", "-o", out.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        Path lora = out.resolve(LoraAdapters.FILE_NAME);
        try (SafeTensors st = SafeTensors.open(lora)) {
            assertThat(st.metadata()).containsEntry(LoraFiles.ALPHA_KEY, "8.0").containsEntry(LoraFiles.RANK_KEY, "4");
            assertThat(st.names()).allMatch(n -> n.startsWith("transformer.") && n.contains(".lora_"));
            // B starts at zero; three steps at lr 1e-2 must have moved it
            String b = st.names().stream().filter(n -> n.endsWith("lora_B.weight")).findFirst().orElseThrow();
            float max = 0;
            for (float v : st.load(b).data()) {
                max = Math.max(max, Math.abs(v));
            }
            assertThat(max).isGreaterThan(0f);
        }
        assertThat(Files.readAllLines(out.resolve(TrainingLog.FILE_NAME))).hasSize(3)
                .allMatch(l -> l.contains("\"loss\":"));
        assertThat(Checkpoints.complete(out)).extracting(p -> p.getFileName().toString()).containsExactly("checkpoint-2");
        assertThat(out.resolve("checkpoint-2").resolve(LoraAdapters.FILE_NAME)).exists();
        assertThat(out.resolve("validation/step-3-0.png")).exists();

        Path png = tmp.resolve("lora.png");
        Path plainPng = tmp.resolve("plain.png");
        CliRun g = run(List.of("generate", "--model", TrainingFixtures.tinyModel().toString(), "--seed", "1", "--steps", "2",
                "--lora", lora + ":20", "-o", png.toString(), "a [V] picture"));
        assertThat(g.code()).as(g.err()).isZero();
        assertThat(ImageFiles.readPngText(png)).containsEntry("lora", lora + ":20");
        CliRun plain = run(List.of("generate", "--model", TrainingFixtures.tinyModel().toString(), "--seed", "1",
                "--steps", "2", "-o", plainPng.toString(), "a [V] picture"));
        assertThat(plain.code()).isZero();
        assertThat(ImageFiles.read(png).pixels().pixels()).as("the adapters change the image")
                .isNotEqualTo(ImageFiles.read(plainPng).pixels().pixels());
        Path mergedPng = tmp.resolve("merged.png");
        CliRun merged = run(List.of("generate", "--model", TrainingFixtures.tinyModel().toString(), "--seed", "1",
                "--steps", "2", "--lora", lora + ":20", "--merge-lora", "-o", mergedPng.toString(), "a [V] picture"));
        assertThat(merged.code()).as(merged.err()).isZero();
        assertThat(ImageFiles.read(mergedPng).width()).isEqualTo(ImageFiles.read(png).width());
        CliRun noLora = run(List.of("generate", "--model", TrainingFixtures.tinyModel().toString(), "--merge-lora",
                "-o", tmp.resolve("never.png").toString(), "x"));
        assertThat(noLora.code()).isEqualTo(2);
        assertThat(noLora.err()).contains("--merge-lora needs --lora FILE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-data", "both", "no-steps", "bad-resolution", "bad-scheduler", "missing-caption"})
    void badInputIsAOneLineErrorWithExitCode2(String problem) throws IOException {
        Path data = TrainingFixtures.captionedFolder(tmp.resolve("data"), 2);
        List<String> a = switch (problem) {
            case "no-data" -> args("--max-steps", "1");
            case "both" -> args("--data", data.toString(), "--image", data.resolve("img0.png").toString(),
                    "--max-steps", "1");
            case "no-steps" -> args("--data", data.toString());
            case "bad-resolution" -> {
                List<String> r = new ArrayList<>(args("--data", data.toString(), "--max-steps", "1"));
                r.set(r.indexOf("--resolution") + 1, "30");
                yield r;
            }
            case "bad-scheduler" -> args("--data", data.toString(), "--max-steps", "1", "--lr-scheduler", "linearish");
            default -> {
                Files.delete(data.resolve("img1.txt"));
                yield args("--data", data.toString(), "--max-steps", "1");
            }
        };
        a = new ArrayList<>(a);
        a.addAll(List.of("-o", tmp.resolve("out").toString()));
        CliRun r = run(a);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        List<String> lines = r.err().lines().toList();
        assertThat(lines.getLast()).startsWith("amused: error: ");
        if (problem.equals("bad-resolution")) {
            assertThat(r.err()).contains("multiple of 4");
        }
        if (problem.equals("missing-caption")) {
            assertThat(r.err()).contains("img1.png");
        }
    }
}
