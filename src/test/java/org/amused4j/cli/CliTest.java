package org.amused4j.cli;

import org.amused4j.golden.Golden;
import org.amused4j.image.DecodedImage;
import org.amused4j.image.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI end to end on the golden tiny models: outputs, metadata and every user-error path. */
class CliTest {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static String model256() {
        return Golden.dir().resolve("models/tiny-amused-256").toString();
    }

    private static Path image(String name) {
        return Golden.dir().resolve(name);
    }

    @Test
    void generateWritesAPngWithTheGenerationParameters() throws IOException {
        Path out = tmp.resolve("fox.png");
        CliRun r = run("generate", "--model", model256(), "--seed", "7", "--steps", "4", "-o", out.toString(),
                "a", "red", "fox");
        assertThat(r.code()).as(r.err()).isZero();
        DecodedImage img = ImageFiles.read(out);
        assertThat(img.width()).isEqualTo(32);
        assertThat(img.height()).isEqualTo(32);
        Map<String, String> meta = ImageFiles.readPngText(out);
        assertThat(meta).containsEntry("prompt", "a red fox").containsEntry("seed", "7")
                .containsEntry("steps", "4").containsEntry("guidance_scale", "10.0")
                .containsEntry("negative_prompt", "").containsEntry("model", "tiny-amused-256")
                .containsEntry("pipeline", "text-to-image");
        assertThat(r.out().trim()).isEqualTo(out.toString());
        // Written via a temp file, which Java creates owner-only; the image must be readable like any other file.
        assertThat(Files.getPosixFilePermissions(out)).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
    }

    @Test
    void sameSeedSameImageAndFolderOutputForSeveralImages() throws IOException {
        Path a = tmp.resolve("a.png");
        Path b = tmp.resolve("b.png");
        assertThat(run("generate", "-m", model256(), "-s", "3", "--steps", "3", "-o", a.toString(), "x").code()).isZero();
        assertThat(run("generate", "-m", model256(), "-s", "3", "--steps", "3", "-o", b.toString(), "x").code()).isZero();
        assertThat(ImageFiles.read(a).pixels().pixels()).isEqualTo(ImageFiles.read(b).pixels().pixels());

        Path dir = tmp.resolve("batch") ;
        CliRun r = run("generate", "-m", model256(), "-s", "5", "--steps", "2", "--num-images", "2",
                "-p", "a cat", "-p", "a dog", "-o", dir + "/");
        assertThat(r.code()).as(r.err()).isZero();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("amused-5-0.png", "amused-5-1.png", "amused-5-2.png", "amused-5-3.png");
        }
        assertThat(ImageFiles.readPngText(dir.resolve("amused-5-1.png"))).containsEntry("prompt", "a dog");
        assertThat(ImageFiles.readPngText(dir.resolve("amused-5-2.png"))).containsEntry("prompt", "a cat");
    }

    @Test
    void img2imgAndInpaintWriteImagesOfTheInputSize() {
        Path out1 = tmp.resolve("var.png");
        CliRun r1 = run("img2img", "-m", model256(), "--image", image("pipeline_img2img_image.png").toString(),
                "--strength", "0.5", "-s", "1", "-o", out1.toString(), "a watercolor painting");
        assertThat(r1.code()).as(r1.err()).isZero();
        assertThat(ImageFiles.read(out1).width()).isEqualTo(32);
        assertThat(ImageFiles.readPngText(out1)).containsEntry("strength", "0.5").containsEntry("pipeline", "image-to-image");

        Path out2 = tmp.resolve("inpainted.png");
        CliRun r2 = run("inpaint", "-m", model256(), "--image", image("pipeline_inpaint_image.png").toString(),
                "--mask", image("pipeline_inpaint_mask.png").toString(), "-s", "1", "-o", out2.toString(), "a flower");
        assertThat(r2.code()).as(r2.err()).isZero();
        assertThat(ImageFiles.read(out2).height()).isEqualTo(32);
        assertThat(ImageFiles.readPngText(out2)).containsEntry("pipeline", "inpaint");
    }

    @Test
    void infoListsComponentsAndParameterCounts() {
        CliRun r = run("info", "--model", model256(), "--variant", "fp16");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("transformer", "UVit2DModel", "diffusion_pytorch_model.fp16.safetensors",
                "vqvae", "text_encoder", "total parameters:", "F16");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing model folder|generate --model /nonexistent/model x|/nonexistent/model",
            "unknown variant|generate --model MODEL --variant fp8 x|unknown variant 'fp8'",
            "steps zero|generate --model MODEL --steps 0 x|steps must be at least 1",
            "steps negative|generate --model MODEL --steps -3 x|steps must be at least 1",
            "strength zero|img2img --model MODEL --image IMG --strength 0 x|strength must be in (0, 1]",
            "strength above one|img2img --model MODEL --image IMG --strength 1.5 x|strength must be in (0, 1]",
            "image size not a multiple of the VQ factor|generate --model MODEL --width 30 x|not a positive multiple",
            "mask size differs|inpaint --model MODEL --image IMG --mask SMALLMASK x|they must have the same size",
            "missing image|img2img --model MODEL --image /nonexistent.png x|/nonexistent.png",
            "no prompt|generate --model MODEL|no prompt given",
            "unknown option|generate --model MODEL --colour red x|Unknown option"})
    void userMistakesGiveOneLineErrorsExitCodeTwoAndNoOutputFile(String name, String command, String message)
            throws IOException {
        Path smallMask = tmp.resolve("small-mask.png");
        ImageFiles.writePng(smallMask, org.amused4j.image.ByteImage.blank(16, 16, 1), Map.of());
        Path out = tmp.resolve("never.png");
        List<String> args = new ArrayList<>();
        for (String word : command.split(" ")) {
            args.add(switch (word) {
                case "MODEL" -> model256();
                case "IMG" -> image("pipeline_inpaint_image.png").toString();
                case "SMALLMASK" -> smallMask.toString();
                default -> word;
            });
        }
        args.add("--output");
        args.add(out.toString());
        CliRun r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        List<String> errorLines = r.err().lines().filter(l -> l.startsWith("amused: error: ")).toList();
        assertThat(errorLines).hasSize(1);
        assertThat(errorLines.getFirst()).contains(message);
        assertThat(r.err()).doesNotContain("\tat ");
        assertThat(Files.exists(out)).isFalse();
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("small-mask.png");
        }
    }

    @Test
    void neverOverwritesWithoutForce() throws IOException {
        Path out = tmp.resolve("taken.png");
        Files.writeString(out, "precious");
        CliRun r = run("generate", "-m", model256(), "--steps", "1", "-o", out.toString(), "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("already exists (use --force to overwrite)");
        assertThat(Files.readString(out)).isEqualTo("precious");
        CliRun forced = run("generate", "-m", model256(), "--steps", "1", "--force", "-o", out.toString(), "x");
        assertThat(forced.code()).as(forced.err()).isZero();
        assertThat(ImageFiles.read(out).width()).isEqualTo(32);
    }

    @Test
    void helpShowsExamples() {
        CliRun r = run("generate", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Examples:", "--negative-prompt", "--seed", "--variant");
    }
}
