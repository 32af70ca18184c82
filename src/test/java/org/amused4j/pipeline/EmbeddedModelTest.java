package org.amused4j.pipeline;

import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedModelTest {
    @Test
    void theFileListNamesTheComponentsButNotTheReadmeOrTheLogs(@TempDir Path dir) throws IOException {
        write(dir.resolve("model_index.json"), "{}");
        write(dir.resolve("vqvae/config.json"), "{\"a\": 1}");
        write(dir.resolve("generation_config.json"), "{}");
        write(dir.resolve("README.md"), "card");
        write(dir.resolve("training/log.jsonl"), "{}");
        EmbeddedModel.writeFileList(dir);
        byte[] list = Files.readAllBytes(dir.resolve(EmbeddedModel.FILE_LIST));
        assertThat(EmbeddedModel.files(list)).containsExactly("generation_config.json", "model_index.json",
                "vqvae/config.json");
        assertThat(new String(list, StandardCharsets.UTF_8)).startsWith("2 "
                + EmbeddedModel.sha256("{}".getBytes(StandardCharsets.UTF_8)) + " generation_config.json\n");
    }

    @Test
    void aModelInsideAJarIsUnpackedOnceIntoTheCache(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("src");
        write(model.resolve("model_index.json"), "{\"_class_name\": \"AmusedPipeline\"}");
        write(model.resolve("transformer/config.json"), "{}");
        EmbeddedModel.writeFileList(model);
        Path jar = dir.resolve("model.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : new String[] {"files.txt", "model_index.json", "transformer/config.json"}) {
                out.putNextEntry(new JarEntry("models/" + EmbeddedModel.NAME + "/" + name));
                out.write(Files.readAllBytes(model.resolve(name)));
                out.closeEntry();
            }
        }
        Path cache = dir.resolve("cache");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Path unpacked = EmbeddedModel.locate(loader, cache).orElseThrow();
            assertThat(unpacked.getParent()).isEqualTo(cache);
            assertThat(Files.readString(unpacked.resolve("model_index.json")))
                    .isEqualTo("{\"_class_name\": \"AmusedPipeline\"}");
            assertThat(unpacked.resolve("transformer/config.json")).exists();
            long stamp = Files.getLastModifiedTime(unpacked.resolve("model_index.json")).toMillis();
            assertThat(EmbeddedModel.locate(loader, cache)).contains(unpacked);
            assertThat(Files.getLastModifiedTime(unpacked.resolve("model_index.json")).toMillis()).isEqualTo(stamp);
            try (var entries = Files.list(cache)) {
                assertThat(entries.toList()).as("no temporary folder left behind").containsExactly(unpacked);
            }
        }
    }

    @Test
    void aBuildWithoutAModelHasNone(@TempDir Path dir) throws IOException {
        try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
            assertThat(EmbeddedModel.locate(empty, dir)).isEqualTo(Optional.empty());
        }
    }

    @Test
    void aFileListThatLeavesTheFolderIsRefused() {
        byte[] list = "3 abc ../../etc/passwd\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> EmbeddedModel.files(list)).isInstanceOf(AmusedException.class)
                .hasMessageContaining("bad path");
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
