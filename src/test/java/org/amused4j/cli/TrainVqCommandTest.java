package org.amused4j.cli;

import org.amused4j.vq.VqModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code amused train-vq} end to end on a tiny model, and its user errors. */
class TrainVqCommandTest {
    private static final String[] TINY = {"--channels", "8,8", "--latent-channels", "4", "--embed-dim", "4",
            "--codebook-size", "16", "--batch-size", "2", "--steps", "2", "--log-every", "1"};

    @TempDir
    Path tmp;

    @Test
    void trainsOnGeneratedShapesAndSavesALoadableFolder() throws Exception {
        Path out = tmp.resolve("vq");
        CliRun r = CliRun.of(args("--shapes", "4", "--output", out.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("step 2/2", "saved the VQ model to");
        assertThat(VqModel.load(out).config().blockOutChannels()).isEqualTo(List.of(8, 8));
        List<String> log = Files.readAllLines(out.resolve(TrainVqCommand.LOG_FILE));
        assertThat(log).hasSize(2);
        assertThat(log.getLast()).contains("\"step\":2", "\"loss_mse\"", "\"perplexity\"");
    }

    @Test
    void trainsOnAnImageFolder() {
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("dataset", "shapes", "--count", "3", "--output", data.toString()).code()).isZero();
        Path out = tmp.resolve("vq");
        CliRun r = CliRun.of(args("--data", data.toString(), "--output", out.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.isRegularFile(out.resolve(VqModel.WEIGHTS_FILE))).isTrue();
    }

    @Test
    void needsExactlyOneImageSource() {
        assertError(CliRun.of(args("--output", tmp.toString())), "exactly one of --data DIR and --shapes N");
        assertError(CliRun.of(args("--shapes", "2", "--data", tmp.toString(), "--output", tmp.toString())),
                "exactly one of");
    }

    @Test
    void explainsBadOptions() {
        assertError(CliRun.of(args("--shapes", "0", "--output", tmp.toString())), "--shapes must be at least 1");
        assertError(CliRun.of(args("--data", tmp.resolve("missing").toString(), "--output", tmp.toString())),
                "image folder not found");
        assertError(CliRun.of("train-vq", "--shapes", "2", "--channels", "8,12", "--output", tmp.toString()),
                "multiple of norm_num_groups");
        assertError(CliRun.of("train-vq", "--shapes", "2", "--steps", "0", "--output", tmp.toString()),
                "steps must be positive");
        assertError(CliRun.of("train-vq", "--shapes", "2", "--batch-size", "3", "--output", tmp.toString()),
                "the batch of 3 does not split into 2 equal replicas");
        assertError(CliRun.of("train-vq", "--shapes", "2", "--replicas", "0", "--output", tmp.toString()),
                "replicas must be positive");
    }

    private static void assertError(CliRun r, String message) {
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains(message);
    }

    private static String[] args(String... more) {
        String[] all = new String[1 + TINY.length + more.length];
        all[0] = "train-vq";
        System.arraycopy(TINY, 0, all, 1, TINY.length);
        System.arraycopy(more, 0, all, 1 + TINY.length, more.length);
        return all;
    }
}
