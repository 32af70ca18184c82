package org.amused4j.train.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.pipeline.Amused;
import org.amused4j.pipeline.AmusedModel;
import org.amused4j.pipeline.EmbeddedModel;
import org.amused4j.pipeline.Generation;
import org.amused4j.pipeline.GenerationOptions;
import org.amused4j.pipeline.Prompts;
import org.amused4j.pipeline.Requests;
import org.amused4j.pipeline.StepListener;
import org.amused4j.shapes.ShapesReport;
import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every stage of the recipe, a few steps each: the result is a complete diffusers folder the pipelines load. */
class ShapesRecipeTest {
    @Test
    void theQuickRecipeMakesALoadableModelWithItsLogs(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("model");
        List<String> stages = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        ShapesReport report = ShapesRecipe.run(RecipeConfig.quick(), out, new ShapesRecipe.Listener() {
            @Override
            public void stage(String name) {
                stages.add(name);
            }

            @Override
            public void progress(String line) {
                lines.add(line);
            }
        });
        assertThat(stages).containsExactly("data", "tokenizer", "vq", "vq decoder", "tokens",
                "text encoder + transformer", "folder", "held-out evaluation");
        assertThat(lines).as("the joint stage trains on respelt backgrounds (CanvasTokens)")
                .anyMatch(l -> l.startsWith("background tokens given their empty-canvas code: "));
        assertThat(report.judgements()).hasSize(RecipeConfig.quick().evalImages());
        for (String file : new String[] {"model_index.json", "scheduler/scheduler_config.json",
                "tokenizer/vocab.json", "tokenizer/merges.txt", "text_encoder/config.json",
                "text_encoder/model.safetensors", "transformer/config.json",
                "transformer/diffusion_pytorch_model.safetensors", "vqvae/config.json",
                "vqvae/diffusion_pytorch_model.safetensors", EmbeddedModel.FILE_LIST, "training/vq_log.jsonl",
                "training/train_log.jsonl", "training/vq_loss.png", "training/vq_codebook.png",
                "training/transformer_loss.png", "training/codebook_usage.json", "training/heldout_eval.txt",
                "training/recipe.json", "training/vq_decoder_loss.png", "training/vq_decoder_log.json"}) {
            assertThat(out.resolve(file)).as(file).isRegularFile();
        }
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.toList()).as("no partial folder left").containsExactly(out);
        }
        JsonNode scheduler = new ObjectMapper().readTree(out.resolve("scheduler/scheduler_config.json").toFile());
        assertThat(scheduler.get("mask_token_id").asInt()).isEqualTo(RecipeConfig.quick().codebookSize());

        AmusedModel model = AmusedModel.load(out, null);
        assertThat(model.tokenizer().maxLength()).isEqualTo(RecipeConfig.quick().maxTextLength());
        Generation g = new Amused(model).textToImage(new Requests.TextToImage(
                Prompts.of("a small red circle at center on a white background"), 0, 0,
                GenerationOptions.defaults().withSeed(3)), StepListener.NONE);
        assertThat(g.images().shape()).containsExactly(1, 3, 64, 64);
        assertThat(g.tokenWidth()).isEqualTo(16);

        Path again = dir.resolve("again");
        List<String> againLines = new ArrayList<>();
        ShapesRecipe.run(RecipeConfig.quick().withSteps(1, 1), out.resolve("vqvae"), again, new ShapesRecipe.Listener() {
            @Override
            public void stage(String name) {
            }

            @Override
            public void progress(String line) {
                againLines.add(line);
            }
        });
        assertThat(againLines).as("no VQ training").noneMatch(l -> l.startsWith("step ") && l.contains("mse"));
        assertThat(Files.readAllBytes(again.resolve("vqvae/diffusion_pytorch_model.safetensors")))
                .as("the reused VQ, as it was").isEqualTo(Files.readAllBytes(
                        out.resolve("vqvae/diffusion_pytorch_model.safetensors")));
        assertThat(new ObjectMapper().readTree(again.resolve("training/recipe.json").toFile()).get("reused_vq")
                .asText()).isEqualTo(out.resolve("vqvae").toAbsolutePath().toString());
        assertThat(AmusedModel.load(again, null).transformer()).isNotNull();
    }

    @Test
    void aReusedVqMustBeAVqFolder(@TempDir Path dir) {
        assertThatThrownBy(() -> ShapesRecipe.run(RecipeConfig.quick(), dir, dir.resolve("model"),
                new ShapesRecipe.Listener() {
                    @Override
                    public void stage(String name) {
                    }

                    @Override
                    public void progress(String line) {
                    }
                })).isInstanceOf(AmusedException.class).hasMessageContaining("not a vqvae folder");
        assertThat(dir.resolve("model")).doesNotExist();
    }

    @Test
    void anExistingOutputFolderIsNotOverwritten(@TempDir Path dir) {
        assertThatThrownBy(() -> ShapesRecipe.run(RecipeConfig.quick(), dir, new ShapesRecipe.Listener() {
            @Override
            public void stage(String name) {
            }

            @Override
            public void progress(String line) {
            }
        })).isInstanceOf(AmusedException.class).hasMessageContaining("already exists");
    }
}
