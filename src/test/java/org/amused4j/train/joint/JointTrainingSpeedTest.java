package org.amused4j.train.joint;

import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.text.ClipTextOutput;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.text.bpe.BpeTrainer;
import org.amused4j.uvit.UVit2DConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Samples per second of joint training at the shapes sizes (fwd + bwd + AdamW, both models) on random grids and
 * shapes-like captions. A measurement, not a check: runs only with {@code -Damused.jointSpeed=true}.
 */
@EnabledIfSystemProperty(named = "amused.jointSpeed", matches = "true")
class JointTrainingSpeedTest {
    @Test
    void measuresSamplesPerSecondAtTheShapesSizes(@TempDir Path dir) {
        List<String> captions = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        Random random = new Random(1);
        boolean fullGrid = Boolean.getBoolean("amused.jointFullGrid");
        int side = Integer.getInteger("amused.jointGrid", fullGrid ? 16 : 8);
        String[] words = {"red", "green", "blue", "small", "large", "circle", "square", "top", "left", "bottom"};
        for (int i = 0; i < 256; i++) {
            captions.add("a " + words[random.nextInt(3)] + " " + words[3 + random.nextInt(2)] + " "
                    + words[5 + random.nextInt(2)] + " at " + words[7 + random.nextInt(2)] + " "
                    + words[9] + " on a " + words[random.nextInt(3)] + " background");
            int[] g = new int[side * side];
            for (int j = 0; j < g.length; j++) {
                g[j] = random.nextInt(512);
            }
            grids.add(g);
        }
        BpeTrainer.trainAndWrite(dir, captions, 600, 24);
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        ClipTextConfig textConfig = JointTrainingConfig.shapesTextEncoder(tokenizer.eosId() + 1, tokenizer.maxLength());
        UVit2DConfig uvitConfig = fullGrid ? fullGrid(Integer.getInteger("amused.jointBlocks", 5))
                : JointTrainingConfig.shapesTransformer(512, side);
        int batch = Integer.getInteger("amused.jointBatch", 32);
        JointTrainingConfig config = new JointTrainingConfig(1000, batch, 1e-3, 10, 0.01,
                JointTrainingConfig.defaults(1000).adam(), 0.1, 0f, 1.0, 0, 64,
                Integer.getInteger("amused.jointReplicas", 2));
        JointTrainer trainer = new JointTrainer(JointTrainer.freshTextEncoder(textConfig, 0),
                JointTrainer.freshTransformer(uvitConfig, 0), tokenizer, grids, captions, config);
        long textParams = trainer.parameters().stream().filter(p -> p.name().startsWith("text_encoder."))
                .mapToLong(p -> p.numel()).sum();
        long allParams = trainer.parameters().stream().mapToLong(p -> p.numel()).sum();
        for (int i = 0; i < 3; i++) {
            trainer.step();
        }
        int steps = Integer.getInteger("amused.jointSteps", 10);
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            trainer.step();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int[][] ids = tokenizer.encode(captions.subList(0, batch));
        IdentityHashMap<float[], float[]> gradients = new IdentityHashMap<>();
        trainer.textEncoder().parameters("", (n, v) -> gradients.put(v.data(), new float[v.size()]));
        long t1 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            Tape tape = Tape.recording(gradients, new Tape.Options(false, false));
            ClipTextOutput out = trainer.textEncoder().forward(ids, tape);
            out.backward(tape, Tensor.zeros(out.penultimate().shape()), Tensor.zeros(out.textEmbeds().shape()));
        }
        System.out.printf("JOINT of which the text encoder (fwd+bwd): %.1f ms of %.1f ms per step%n",
                (System.nanoTime() - t1) / 1e6 / steps, seconds * 1e3 / steps);
        System.out.printf("JOINT params text=%d transformer=%d total=%d; batch %d: %.1f samples/s%n", textParams,
                allParams - textParams, allParams, batch, steps * batch / seconds);
        assertThat(seconds).isPositive();
    }

    /**
     * The shapes U-ViT on a 16×16 grid without halving it ({@code -Damused.jointFullGrid=true}, with
     * {@code -Damused.jointBlocks=N} ConvNeXt blocks per side): what giving every token its own feature would cost.
     */
    private static UVit2DConfig fullGrid(int blocks) {
        return new UVit2DConfig(128, false, JointTrainingConfig.TEXT_PROJECTION, 16, 80,
                JointTrainingConfig.TEXT_HIDDEN, 513, 512, 64, 128, blocks, false, false, 4, 2, 4, 512, 1e-6, true, 16);
    }
}
