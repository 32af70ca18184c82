package org.amused4j.io;

import org.amused4j.golden.Golden;
import org.amused4j.golden.ModelCopy;
import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.amused4j.io.ModelFolder.BF16;
import static org.amused4j.io.ModelFolder.FP16;
import static org.amused4j.io.ModelFolder.SCHEDULER;
import static org.amused4j.io.ModelFolder.TEXT_ENCODER;
import static org.amused4j.io.ModelFolder.TOKENIZER;
import static org.amused4j.io.ModelFolder.TRANSFORMER;
import static org.amused4j.io.ModelFolder.VQVAE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelFolderTest {
    private static final String DEFAULT_FILE = "diffusion_pytorch_model.safetensors";

    @TempDir
    Path tmp;

    private static Path golden(String model) {
        return Golden.dir().resolve("models").resolve(model);
    }

    /** A writable copy of a golden model folder, to break. */
    private Path copyOf(String model) {
        return ModelCopy.wholeFolder(golden(model), tmp.resolve(model));
    }

    @Test
    void readsTheComponentsOfBothGoldenModels() {
        for (String model : List.of("tiny-amused-256", "tiny-amused-512")) {
            ModelFolder folder = ModelFolder.open(golden(model));
            assertThat(folder.components().keySet())
                    .containsExactlyInAnyOrder(TRANSFORMER, VQVAE, TEXT_ENCODER, TOKENIZER, SCHEDULER);
            assertThat(folder.component(TRANSFORMER))
                    .isEqualTo(new ModelFolder.Component(TRANSFORMER, "diffusers", "UVit2DModel"));
            assertThat(folder.component(TEXT_ENCODER).library()).isEqualTo("transformers");
            assertThat(folder.componentDir(VQVAE)).isEqualTo(golden(model).resolve(VQVAE));
            assertThat(folder.configPath(TRANSFORMER)).hasFileName("config.json").isRegularFile();
            assertThat(folder.configPath(SCHEDULER)).hasFileName("scheduler_config.json").isRegularFile();
            assertThat(folder.configPath(TOKENIZER)).hasFileName("tokenizer_config.json").isRegularFile();
            assertThat(folder.weights(TEXT_ENCODER, null).path()).hasFileName("model.safetensors").isRegularFile();
            assertThat(folder.weights(VQVAE, null).path()).hasFileName(DEFAULT_FILE).isRegularFile();
        }
    }

    @Test
    void choosesTheRequestedVariant() {
        ModelFolder folder = ModelFolder.open(golden("tiny-amused-256"));
        ModelFolder.WeightFile f32 = folder.weights(TRANSFORMER, null);
        ModelFolder.WeightFile fp16 = folder.weights(TRANSFORMER, FP16);
        ModelFolder.WeightFile bf16 = folder.weights(TRANSFORMER, BF16);
        assertThat(f32.path()).hasFileName(DEFAULT_FILE);
        assertThat(fp16.path()).hasFileName("diffusion_pytorch_model.fp16.safetensors");
        assertThat(bf16.path()).hasFileName("diffusion_pytorch_model.bf16.safetensors");
        assertThat(List.of(f32, fp16, bf16)).noneMatch(ModelFolder.WeightFile::fellBack);
        assertThat(fp16.variant()).isEqualTo(FP16);
    }

    @Test
    void fallsBackToTheDefaultFileForComponentsWithoutAnyVariant() {
        ModelFolder folder = ModelFolder.open(golden("tiny-amused-256"));
        ModelFolder.WeightFile vq = folder.weights(VQVAE, FP16);
        assertThat(vq.path()).hasFileName(DEFAULT_FILE);
        assertThat(vq.fellBack()).isTrue();
        assertThat(vq.requestedVariant()).isEqualTo(FP16);
        assertThat(vq.variant()).isNull();
        ModelFolder.WeightFile text = folder.weights(TEXT_ENCODER, BF16);
        assertThat(text.path()).hasFileName("model.safetensors");
        assertThat(text.fellBack()).isTrue();
    }

    @Test
    void aMissingVariantNextToOtherVariantsIsAnErrorListingWhatIsThere() throws IOException {
        Path root = copyOf("tiny-amused-256");
        Files.delete(root.resolve("transformer/diffusion_pytorch_model.bf16.safetensors"));
        ModelFolder folder = ModelFolder.open(root);
        assertThatThrownBy(() -> folder.weights(TRANSFORMER, BF16)).isInstanceOf(AmusedException.class)
                .hasMessage("transformer: no diffusion_pytorch_model.bf16.safetensors in " + root.resolve(TRANSFORMER)
                        + "; found: diffusion_pytorch_model.fp16.safetensors, diffusion_pytorch_model.safetensors");
    }

    @Test
    void theDefaultFileIsNeverReplacedByAVariant() throws IOException {
        Path root = copyOf("tiny-amused-256");
        Files.delete(root.resolve("transformer/" + DEFAULT_FILE));
        assertThatThrownBy(() -> ModelFolder.open(root).weights(TRANSFORMER, null)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll("no " + DEFAULT_FILE, "found: diffusion_pytorch_model.bf16.safetensors");
    }

    @Test
    void pickleWeightsAreNeverUsed() throws IOException {
        Path root = copyOf("tiny-amused-512");
        Path vq = root.resolve(VQVAE);
        Files.delete(vq.resolve(DEFAULT_FILE));
        Files.write(vq.resolve("diffusion_pytorch_model.bin"), new byte[16]);
        assertThatThrownBy(() -> ModelFolder.open(root).weights(VQVAE, null)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll("vqvae: no " + DEFAULT_FILE, "found: diffusion_pytorch_model.bin", "pickle");
        assertThatThrownBy(() -> ModelFolder.open(root).weights(SCHEDULER, null)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll("scheduler: no " + DEFAULT_FILE, "found: no weight files");
    }

    @Test
    void unknownVariant() {
        ModelFolder folder = ModelFolder.open(golden("tiny-amused-256"));
        assertThatThrownBy(() -> folder.weights(TRANSFORMER, "fp8")).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll("'fp8'", "fp16", "bf16");
    }

    @Test
    void missingOrWrongFolder() throws IOException {
        Path none = tmp.resolve("absent");
        assertThatThrownBy(() -> ModelFolder.open(none)).isInstanceOf(AmusedException.class)
                .hasMessage(none + ": model folder does not exist");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> ModelFolder.open(file)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(file.toString(), "is a file");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThatThrownBy(() -> ModelFolder.open(empty)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(empty.toString(), "model_index.json is missing");
    }

    @Test
    void malformedModelIndex() throws IOException {
        Path root = copyOf("tiny-amused-256");
        Path index = root.resolve("model_index.json");
        Files.writeString(index, "{\"transformer\": [\"diffusers\", ");
        assertThatThrownBy(() -> ModelFolder.open(root)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(index.toString(), "malformed JSON");
        Files.writeString(index, "{\"_class_name\": \"AmusedPipeline\", \"transformer\": \"UVit2DModel\"}");
        assertThatThrownBy(() -> ModelFolder.open(root)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(index.toString(), "'transformer'", "[library, class]");
        Files.writeString(index, "[]");
        assertThatThrownBy(() -> ModelFolder.open(root)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll(index.toString(), "JSON object");
    }

    @Test
    void missingComponentFolderOrConfigOrEntry() throws IOException {
        Path root = copyOf("tiny-amused-256");
        try (Stream<Path> files = Files.list(root.resolve(SCHEDULER))) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(root.resolve(SCHEDULER));
        Files.delete(root.resolve("vqvae/config.json"));
        Files.writeString(root.resolve("model_index.json"), Files.readString(root.resolve("model_index.json"))
                .replace("\"tokenizer\"", "\"_tokenizer\""));
        ModelFolder folder = ModelFolder.open(root);
        assertThatThrownBy(() -> folder.configPath(SCHEDULER)).isInstanceOf(AmusedException.class)
                .hasMessage(root.resolve(SCHEDULER) + ": folder of component 'scheduler' is missing");
        assertThatThrownBy(() -> folder.configPath(VQVAE)).isInstanceOf(AmusedException.class)
                .hasMessage("vqvae: no config.json in " + root.resolve(VQVAE));
        assertThatThrownBy(() -> folder.componentDir(TOKENIZER)).isInstanceOf(AmusedException.class)
                .hasMessageContainingAll("no component 'tokenizer'", "lists: ", "transformer");
    }
}
