package org.amused4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.image.ImageFiles;
import org.amused4j.shapes.Attribute;
import org.amused4j.shapes.Colour;
import org.amused4j.shapes.ImageFolder;
import org.amused4j.shapes.ShapeCaption;
import org.amused4j.shapes.ShapesReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code amused dataset shapes} and {@code amused shapes-eval} end to end. */
class ShapesCommandsTest {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** Writes a shapes dataset into {@code tmp/name} with {@code dataset shapes OPTIONS}, asserting it succeeded. */
    private Path dataset(String name, String... options) {
        Path data = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("dataset", "shapes"));
        args.addAll(List.of(options));
        args.addAll(List.of("--output", data.toString()));
        CliRun made = run(args.toArray(String[]::new));
        assertThat(made.code()).as(made.err()).isZero();
        return data;
    }

    @Test
    void fiveHundredImagesOfEveryPairAreAllJudgedCorrect() throws IOException {
        Path data = dataset("all", "--split", "all", "--count", "500", "--seed", "9");
        List<ImageFolder.CaptionedImage> images = ImageFolder.read(data);
        assertThat(images).hasSize(500);
        Set<String> pairs = new HashSet<>();
        for (ImageFolder.CaptionedImage image : images) {
            ShapeCaption c = ShapeCaption.parse(image.caption());
            pairs.add(c.colour() + " " + c.shape());
        }
        assertThat(pairs).as("every colour/shape pair, held-out ones included").hasSize(32);

        CliRun eval = run("shapes-eval", "--images", data.toString(), "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(eval.out());
        assertThat(report.get("images").asInt()).isEqualTo(500);
        assertThat(report.get("held_out").get("images").asInt()).isPositive();
        for (Attribute a : Attribute.values()) {
            assertThat(report.get("accuracy").get(a.key()).asDouble()).as(a.key()).isEqualTo(1.0);
        }
        assertThat(report.get("accuracy").get(ShapesReport.ALL).asDouble()).isEqualTo(1.0);
        JsonNode first = report.get("results").get(0);
        assertThat(first.get("image").asText()).isEqualTo("000000.png");
        assertThat(first.get("caption").asText()).isEqualTo(images.getFirst().caption());
        assertThat(first.get("correct").get(ShapesReport.ALL).asBoolean()).isTrue();
    }

    @Test
    void sameSeedSameFilesAndTheTextReport() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertThat(run("dataset", "shapes", "--count", "12", "-s", "4", "-o", a.toString()).code()).isZero();
        assertThat(run("dataset", "shapes", "--count", "12", "-s", "4", "-o", b.toString()).code()).isZero();
        assertThat(Files.readString(a.resolve(ImageFolder.METADATA)))
                .isEqualTo(Files.readString(b.resolve(ImageFolder.METADATA)))
                .startsWith("{\"file_name\":\"000000.png\",\"text\":\"a ");
        for (int i = 0; i < 12; i++) {
            String name = ImageFolder.fileName(i);
            assertThat(ImageFiles.read(a.resolve(name)).pixels().pixels())
                    .isEqualTo(ImageFiles.read(b.resolve(name)).pixels().pixels());
            assertThat(ShapeCaption.parse(ImageFiles.readPngText(a.resolve(name)).get("prompt")).heldOut()).isFalse();
        }
        CliRun eval = run("shapes-eval", "--images", a.toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("images: 12").containsPattern("all\\s+100\\.0%");
    }

    @Test
    void withoutMetadataCaptionsComeFromThePngPromptChunk() throws IOException {
        Path data = tmp.resolve("d");
        assertThat(run("dataset", "shapes", "--count", "6", "-o", data.toString()).code()).isZero();
        Files.delete(data.resolve(ImageFolder.METADATA));
        CliRun eval = run("shapes-eval", "--images", data.toString(), "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(new ObjectMapper().readTree(eval.out()).get("accuracy").get("all").asDouble()).isEqualTo(1.0);
    }

    @Test
    void heldOutPromptsOnly() throws IOException {
        Path dir = tmp.resolve("prompts");
        CliRun r = run("dataset", "shapes", "--split", "held-out", "--count", "40", "--prompts-only", "-o",
                dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> prompts = Files.readAllLines(dir.resolve("prompts.txt"));
        assertThat(prompts).hasSize(40).allMatch(p -> ShapeCaption.parse(p).heldOut());
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void userErrors() throws IOException {
        Path data = tmp.resolve("e");
        assertThat(run("dataset", "shapes", "--count", "2", "-o", data.toString()).code()).isZero();
        CliRun again = run("dataset", "shapes", "--count", "2", "-o", data.toString());
        assertThat(again.code()).isEqualTo(Main.USER_ERROR);
        assertThat(again.err()).contains("already exists").contains("--force");
        assertThat(run("dataset", "shapes", "--count", "2", "-o", data.toString(), "--force").code()).isZero();
        assertThat(run("dataset", "shapes", "--count", "0", "-o", data.toString()).err()).contains("--count");
        CliRun badSplit = run("dataset", "shapes", "--count", "2", "--split", "test", "-o", data.toString());
        assertThat(badSplit.code()).isEqualTo(Main.USER_ERROR);
        assertThat(badSplit.err()).contains("held-out");

        Files.writeString(data.resolve(ImageFolder.METADATA),
                "{\"file_name\": \"000000.png\", \"text\": \"a red fox in the snow\"}\n");
        CliRun foreign = run("shapes-eval", "--images", data.toString());
        assertThat(foreign.code()).isEqualTo(Main.USER_ERROR);
        assertThat(foreign.err()).contains("000000.png").contains("a red fox in the snow");
        Files.writeString(data.resolve(ImageFolder.METADATA), "{\"file_name\": 3}\n");
        assertThat(run("shapes-eval", "--images", data.toString()).err()).contains("line 1").contains("file_name");
        CliRun missing = run("shapes-eval", "--images", tmp.resolve("nowhere").toString());
        assertThat(missing.code()).isEqualTo(Main.USER_ERROR);
        assertThat(missing.err()).contains("not found");
    }

    @Test
    void pinkDataIsJudgedWithPinkInThePalette() throws IOException {
        Path data = dataset("pink", "--count", "40", "--seed", "3", "--shape-colour", "pink");
        assertThat(ImageFolder.read(data)).allMatch(i -> i.caption().contains(" pink "));
        CliRun eval = run("shapes-eval", "--images", data.toString(), "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(new ObjectMapper().readTree(eval.out()).get("accuracy").get(ShapesReport.ALL).asDouble())
                .isEqualTo(1.0);
    }

    @Test
    void onlyAColourOutsideTheGrammarCanBeForcedOnTheShapes() {
        CliRun r = run("dataset", "shapes", "--count", "4", "--shape-colour", "red", "--output",
                tmp.resolve("x").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("outside the grammar").contains("pink");
    }

    @Test
    void shapesEvalWantsExactlyOneSourceOfImages() {
        String oneOf = "one of --images DIR, --generate N, --reconstruct N or --token-loss N";
        assertThat(run("shapes-eval").err()).contains(oneOf);
        assertThat(run("shapes-eval", "--images", tmp.toString(), "--generate", "3").err()).contains(oneOf);
        assertThat(run("shapes-eval", "--generate", "3", "--reconstruct", "3").err()).contains(oneOf);
        assertThat(run("shapes-eval", "--generate", "0").err()).contains("at least 1");
        assertThat(run("shapes-eval", "--reconstruct", "-2").err()).contains("--reconstruct must be at least 1");
        CliRun lora = run("shapes-eval", "--reconstruct", "2", "--lora", tmp.resolve("x.safetensors").toString());
        assertThat(lora.code()).isEqualTo(2);
        assertThat(lora.err()).contains("judges the VQ alone");
        assertThat(run("shapes-eval", "--reconstruct", "2", "--colour", "teal").err()).contains("unknown colour");
        assertThat(run("shapes-eval", "--token-loss", "3", "--generate", "3").err()).contains(oneOf);
        assertThat(run("shapes-eval", "--token-loss", "0").err()).contains("--token-loss must be at least 1");
        assertThat(run("shapes-eval", "--token-loss", "2", "--mask-share", "0").err()).contains("(0, 1]");
        assertThat(run("shapes-eval", "--token-loss", "2", "--colour", "red").err()).contains("takes none of");
    }

    @Test
    void tokenLossReportsTheThreeSetsOfScenes() throws IOException {
        CliRun text = run("shapes-eval", "--token-loss", "3");
        assertThat(text.code()).as(text.err()).isZero();
        assertThat(text.out()).contains("50 % of each grid masked").contains("training").contains("fresh")
                .contains("held-out");
        CliRun json = run("shapes-eval", "--token-loss", "3", "--mask-share", "1", "--json");
        assertThat(json.code()).as(json.err()).isZero();
        JsonNode rows = new ObjectMapper().readTree(json.out());
        assertThat(rows).hasSize(3);
        assertThat(rows.get(2).get("scenes").asText()).isEqualTo("held-out");
        assertThat(rows.get(0).get("count").asInt()).isEqualTo(3);
        assertThat(rows.get(0).get("loss").asDouble()).isPositive();
    }

    @Test
    void reconstructTakesTheColourPromptsToo() throws IOException {
        CliRun r = run("shapes-eval", "--reconstruct", "5", "--colour", "red", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode results = new ObjectMapper().readTree(r.out()).get("results");
        assertThat(results).hasSize(5).allSatisfy(j -> assertThat(ShapeCaption.parse(j.get("caption").asText())
                .colour()).isEqualTo(Colour.RED));
    }

    @Test
    void reconstructJudgesTheBuiltInVqOnHeldOutScenesAndSavesThem() throws IOException {
        Path saved = tmp.resolve("roundtrip");
        CliRun r = run("shapes-eval", "--reconstruct", "6", "--save", saved.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertThat(report.get("images").asInt()).isEqualTo(6);
        assertThat(ImageFolder.read(saved)).hasSize(6);
        // The saved reconstructions are judged again from disk exactly as they were in memory.
        CliRun again = run("shapes-eval", "--images", saved.toString(), "--json");
        assertThat(new ObjectMapper().readTree(again.out()).get("accuracy"))
                .isEqualTo(report.get("accuracy"));
    }
}
