package org.amused4j.train.joint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.io.FileWeights;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextConfig;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.ClipTextOutput;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.text.bpe.BpeTrainer;
import org.amused4j.train.AdamSettings;
import org.amused4j.train.Parameter;
import org.amused4j.train.Trainer;
import org.amused4j.train.TrainingLog;
import org.amused4j.uvit.Trace;
import org.amused4j.uvit.UVit2DConfig;
import org.amused4j.uvit.UVit2DModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Joint training at a tiny size on synthetic data where the caption determines the grid: the top half of the grid
 * is a pattern chosen by the colour word, the bottom half one chosen by the shape word, so every grid must be
 * recalled from its caption alone when fully masked.
 */
class JointTrainerTest {
    private static final List<String> COLOURS = List.of("red", "green", "blue", "yellow");
    private static final List<String> SHAPES = List.of("circle", "square");
    private static final int CODEBOOK = 64;
    private static final int SIDE = 8;

    @TempDir
    static Path tokenizerDir;
    private static ClipTokenizer tokenizer;
    private static int vocabSize;

    @BeforeAll
    static void trainTokenizer() throws Exception {
        List<String> corpus = new ArrayList<>();
        for (String c : COLOURS) {
            for (String s : SHAPES) {
                corpus.add(caption(c, s));
            }
        }
        BpeTrainer.trainAndWrite(tokenizerDir, corpus, 560, 77);
        tokenizer = ClipTokenizer.load(tokenizerDir);
        vocabSize = tokenizer.eosId() + 1;
        assertThat(Files.exists(tokenizerDir.resolve("vocab.json"))).isTrue();
    }

    static String caption(String colour, String shape) {
        return "a " + colour + " " + shape;
    }

    /** Top half: colour pattern (ids 0..31), bottom half: shape pattern (ids 32..63), varying with position. */
    static int[] grid(String colour, String shape) {
        int[] g = new int[SIDE * SIDE];
        int c = COLOURS.indexOf(colour);
        int s = SHAPES.indexOf(shape);
        for (int j = 0; j < g.length; j++) {
            g[j] = j < g.length / 2 ? c * 8 + j % 8 : 32 + s * 16 + (j * 3) % 16;
        }
        return g;
    }

    static ClipTextConfig tinyText() {
        return new ClipTextConfig(32, 64, 2, 2, 77, vocabSize, 32, 1e-5, "quick_gelu",
                ClipTextConfig.LEGACY_EOS_TOKEN_ID);
    }

    static UVit2DConfig tinyTransformer() {
        return new UVit2DConfig(32, false, 32, 8, 40, 32, CODEBOOK + 1, CODEBOOK, 16, 32, 1, false, false, 2, 2, 2,
                64, 1e-6, true, SIDE);
    }

    static JointTrainingConfig settings(int steps, long seed) {
        return new JointTrainingConfig(steps, 16, 1e-2, 10, 0.01, new AdamSettings(0.9, 0.99, 1e-8), 0.1, 0f, 1.0,
                seed, 64, 1);
    }

    static JointTrainer trainer(List<String[]> pairs, int steps, long seed) {
        List<int[]> grids = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (String[] p : pairs) {
            grids.add(grid(p[0], p[1]));
            captions.add(caption(p[0], p[1]));
        }
        return new JointTrainer(JointTrainer.freshTextEncoder(tinyText(), seed),
                JointTrainer.freshTransformer(tinyTransformer(), seed), tokenizer, grids, captions,
                settings(steps, seed));
    }

    static List<String[]> allPairs() {
        List<String[]> pairs = new ArrayList<>();
        for (String c : COLOURS) {
            for (String s : SHAPES) {
                pairs.add(new String[] {c, s});
            }
        }
        return pairs;
    }

    /** Logits [1, codebook, side, side] of a fully masked grid under {@code caption}. */
    static Tensor fullyMaskedLogits(ClipTextEncoder text, UVit2DModel transformer, String caption) {
        ClipTextOutput out = text.forward(new int[][] {tokenizer.encode(caption)});
        int[] masked = new int[SIDE * SIDE];
        Arrays.fill(masked, transformer.config().vocabSize() - 1);
        return transformer.forward(masked, SIDE, SIDE, out.penultimate(), out.textEmbeds(),
                Tensor.of(new float[] {64, 64, 0, 0, 6}, 1, 5), Trace.NONE);
    }

    /**
     * Mean over positions of the probability {@code logits} [1, 64, 8, 8] give to the ids the caption allows (its
     * colour's 8 or its shape's 16, out of 64). Not argmax: with every token masked the U-ViT's interior positions
     * see identical inputs (no position embeddings; only the convolutions' zero padding tells positions apart), so
     * the caption can shift the distribution, not place each id.
     */
    static double allowedMass(Tensor logits, String colour, String shape) {
        int k = logits.dim(1), n = logits.dim(2) * logits.dim(3);
        int c = COLOURS.indexOf(colour), s = SHAPES.indexOf(shape);
        double mass = 0;
        for (int j = 0; j < n; j++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int id = 0; id < k; id++) {
                max = Math.max(max, logits.data()[id * n + j]);
            }
            double total = 0, allowed = 0;
            for (int id = 0; id < k; id++) {
                double e = Math.exp(logits.data()[id * n + j] - max);
                total += e;
                boolean ofColour = id < 32 && id / 8 == c;
                boolean ofShape = id >= 32 && (id - 32) / 16 == s;
                allowed += ofColour || ofShape ? e : 0;
            }
            mass += allowed / total;
        }
        return mass / n;
    }

    static double captionMass(JointTrainer trainer, String colour, String shape) {
        return allowedMass(fullyMaskedLogits(trainer.textEncoder(), trainer.transformer(), caption(colour, shape)),
                colour, shape);
    }

    /** Classifier-free guidance: uncond + scale·(cond − uncond), the unconditional logits from the empty prompt. */
    static Tensor guided(JointTrainer trainer, String caption, float scale) {
        Tensor uncond = fullyMaskedLogits(trainer.textEncoder(), trainer.transformer(), "");
        Tensor cond = fullyMaskedLogits(trainer.textEncoder(), trainer.transformer(), caption);
        float[] g = cond.data();
        for (int i = 0; i < g.length; i++) {
            g[i] = uncond.data()[i] + scale * (g[i] - uncond.data()[i]);
        }
        return cond;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void learnsToPutTheCaptionsTokensWhereEverythingIsMasked() {
        int steps = 150;
        JointTrainer trainer = trainer(allPairs(), steps, 1);
        List<Double> losses = new ArrayList<>();
        trainer.run((r, seconds) -> losses.add(r.loss()));
        double start = losses.getFirst();
        double end = losses.subList(steps - 10, steps).stream().mapToDouble(d -> d).average().orElseThrow();
        assertThat(end).as("mean loss of the last 10 steps (first step %s)", start).isLessThan(0.3 * start);
        for (String[] p : allPairs()) {
            // 24 of 64 ids are allowed: an untrained or caption-blind model gives them about 0.375.
            assertThat(captionMass(trainer, p[0], p[1])).as("probability of the tokens '%s' allows",
                    caption(p[0], p[1])).isGreaterThan(0.6);
        }
    }

    /**
     * Compositional generalisation: trained without "a yellow square", the model still puts the tokens of yellow
     * and of square where everything is masked when asked for it with guidance (without guidance some of the
     * mass leaks to circle, the only shape yellow was seen with).
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void guidanceDrawsAHeldOutCombinationOfSeenWords() {
        List<String[]> train = allPairs().stream()
                .filter(p -> !(p[0].equals("yellow") && p[1].equals("square"))).toList();
        JointTrainer trainer = trainer(train, 300, 1);
        trainer.run((r, seconds) -> { });
        assertThat(allowedMass(guided(trainer, caption("yellow", "square"), 2f), "yellow", "square"))
                .as("probability of yellow's and square's tokens for the held-out caption, guidance 2")
                .isGreaterThan(0.8);
    }

    /**
     * The wiring of the two backward passes: d loss / d (a text-encoder weight) equals the central difference of
     * the loss, for weights that reach the transformer through encoder_hidden_states (layer 0, the embeddings) and
     * through pooled_text_emb only (the last layer, the projection).
     */
    @Test
    void textEncoderGradientsMatchFiniteDifferencesThroughTheTransformer() {
        JointTrainer t = trainer(allPairs(), 1, 5);
        JointTrainer.Batch batch = t.nextBatch();
        for (String name : List.of("text_model.embeddings.token_embedding.weight",
                "text_model.encoder.layers.0.mlp.fc1.weight", "text_model.encoder.layers.1.self_attn.v_proj.weight",
                "text_projection.weight")) {
            Parameter p = t.parameters().stream().filter(q -> q.name().equals("text_encoder." + name)).findFirst()
                    .orElseThrow();
            t.parameters().forEach(Parameter::zeroGrad);
            t.accumulateGradients(batch);
            int at = 0;
            for (int i = 0; i < p.numel(); i++) {
                at = Math.abs(p.grad()[i]) > Math.abs(p.grad()[at]) ? i : at;
            }
            float analytic = p.grad()[at];
            float value = p.value()[at];
            float h = 1e-2f;
            p.value()[at] = value + h;
            double up = t.accumulateGradients(batch);
            p.value()[at] = value - h;
            double down = t.accumulateGradients(batch);
            p.value()[at] = value;
            assertThat((up - down) / (2 * h)).as("d loss / d %s[%d]", name, at)
                    .isCloseTo(analytic, within(0.05 * Math.abs(analytic) + 1e-4));
        }
    }

    @Test
    void sameSeedGivesTheSameWeightsAndAnotherSeedOtherWeights() {
        List<Parameter> a = stepped(7);
        List<Parameter> b = stepped(7);
        List<Parameter> c = stepped(8);
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).value()).as(a.get(i).name()).containsExactly(a.get(i).value());
        }
        assertThat(c.getFirst().value()).isNotEqualTo(a.getFirst().value());
    }

    private static List<Parameter> stepped(long seed) {
        JointTrainer t = trainer(allPairs(), 3, seed);
        List<Trainer.StepResult> results = new ArrayList<>();
        t.run((r, s) -> results.add(r));
        assertThat(results).extracting(Trainer.StepResult::step).containsExactly(1, 2, 3);
        return t.parameters();
    }

    @Test
    void savedFolderLoadsIntoModelsWithTheSameOutputs(@TempDir Path folder) throws Exception {
        JointTrainer t = trainer(allPairs(), 2, 3);
        try (TrainingLog log = TrainingLog.open(folder, 0)) {
            t.run(log::append);
        }
        assertThat(Files.readAllLines(folder.resolve(TrainingLog.FILE_NAME))).hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("\"loss\"", "\"lr\"", "\"grad_norm\"", "\"seconds\""));
        t.save(folder);
        JsonNode textConfig = new ObjectMapper().readTree(folder.resolve("text_encoder/config.json").toFile());
        assertThat(textConfig.path("architectures").path(0).asText()).isEqualTo("CLIPTextModelWithProjection");
        assertThat(textConfig.path("hidden_size").asInt()).isEqualTo(32);
        assertThat(new ObjectMapper().readTree(folder.resolve("transformer/config.json").toFile())
                .path("_class_name").asText()).isEqualTo("UVit2DModel");

        Path textDir = folder.resolve("text_encoder");
        ClipTextEncoder text;
        try (FileWeights w = FileWeights.open(textDir.resolve("model.safetensors"))) {
            text = new ClipTextEncoder(ClipTextConfig.read(textDir.resolve("config.json")), w);
            w.checkAllUsed();
        }
        UVit2DModel transformer = UVit2DModel.load(folder.resolve("transformer"));
        assertThat(text.config()).isEqualTo(t.textEncoder().config());
        assertThat(transformer.config()).isEqualTo(t.transformer().config());

        String caption = caption("blue", "circle");
        assertThat(fullyMaskedLogits(text, transformer, caption).data())
                .containsExactly(fullyMaskedLogits(t.textEncoder(), t.transformer(), caption).data());
    }

    /** Data-parallel steps ({@link ReplicatedJointPass}) against the one-part step. */
    @Nested
    class Replicas {
        @Test
        void twoReplicasGiveTheWholeBatchsLossAndGradients() {
            JointTrainer whole = trainer(1);
            JointTrainer split = trainer(2);
            JointTrainer.Batch batch = whole.nextBatch();
            assertThat(split.nextBatch().masked().maskedCounts()).containsExactly(batch.masked().maskedCounts());
            // Parts with different masked counts are what the loss-share scaling is for.
            int[] counts = batch.masked().maskedCounts();
            int half = counts.length / 2;
            assertThat(sum(counts, 0, half)).isNotEqualTo(sum(counts, half, counts.length));

            float expected = whole.accumulateGradients(batch);
            float actual = split.accumulateGradients(batch);

            assertThat(actual).isCloseTo(expected, within(1e-5f * expected));
            List<Parameter> e = whole.parameters();
            List<Parameter> a = split.parameters();
            double largest = e.stream().mapToDouble(p -> maxAbs(p.grad())).max().orElseThrow();
            assertThat(largest).isPositive();
            for (int i = 0; i < e.size(); i++) {
                float[] eg = e.get(i).grad();
                float[] ag = a.get(i).grad();
                // Relative to each tensor's own scale, with a floor: the attention key biases get a gradient that
                // is zero but for rounding (softmax ignores a shift shared by all of a query's scores).
                double tolerance = 1e-4 * maxAbs(eg) + 1e-7 * largest;
                for (int k = 0; k < eg.length; k++) {
                    assertThat((double) ag[k]).as(e.get(i).name() + "[" + k + "]")
                            .isCloseTo(eg[k], within(tolerance));
                }
            }
        }

        @Test
        void gradientsDoNotCarryOverBetweenSteps() {
            JointTrainer t = trainer(2);
            JointTrainer.Batch batch = t.nextBatch();
            t.accumulateGradients(batch);
            float[] first = t.parameters().getLast().grad().clone();
            t.parameters().forEach(Parameter::zeroGrad);
            t.accumulateGradients(batch);
            assertThat(t.parameters().getLast().grad()).containsExactly(first);
        }

        @Test
        void theBatchMustSplitEvenly() {
            assertThatThrownBy(() -> settings(10, 0).withBatchSize(6).withReplicas(4))
                    .isInstanceOf(AmusedException.class).hasMessageContaining("batch of 6").hasMessageContaining("4");
        }

        private JointTrainer trainer(int replicas) {
            List<int[]> grids = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            for (String[] p : allPairs()) {
                grids.add(grid(p[0], p[1]));
                captions.add(caption(p[0], p[1]));
            }
            return new JointTrainer(JointTrainer.freshTextEncoder(tinyText(), 3),
                    JointTrainer.freshTransformer(tinyTransformer(), 3), tokenizer,
                    grids, captions, settings(10, 3).withReplicas(replicas));
        }

        private static double maxAbs(float[] values) {
            double max = 0;
            for (float v : values) {
                max = Math.max(max, Math.abs(v));
            }
            return max;
        }

        private static int sum(int[] values, int from, int to) {
            int s = 0;
            for (int i = from; i < to; i++) {
                s += values[i];
            }
            return s;
        }
    }
}
