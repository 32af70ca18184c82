package org.amused4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A heap too small for the work ends in one line that says how to raise it, not a stack trace. */
class OutOfMemoryMessageTest {
    @Test
    void runningOutOfHeapPrintsHowToRaiseIt(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("child.log");
        Path cache = dir.resolve("cache");
        // bench writes the full-size CLIP text encoder first: its 152 MB token embedding cannot fit in 48 MiB.
        Process child = new ProcessBuilder(List.of(java, "-Xmx48m", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "bench", "--model-size", "256", "--only", "text", "--repeat", "1", "--cache", cache.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
        String output = Files.readString(log);
        assertThat(child.exitValue()).as(output).isEqualTo(Main.OUT_OF_MEMORY);
        assertThat(output).contains("amused: error: out of memory (Java heap limit 48 MiB)", "AMUSED_JAVA_OPTS=-Xmx2g")
                .doesNotContain("\tat ", "Exception in thread");
        try (var files = Files.walk(cache)) {
            assertThat(files.map(Path::toString)).as("no weight file, not even a partial one")
                    .noneMatch(name -> name.contains(".safetensors"));
        }
    }
}
