package org.amused4j.train;

import org.amused4j.pipeline.AmusedModel;
import org.amused4j.train.data.MissingDataPolicy;
import org.amused4j.train.data.TrainingData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A run stopped at a checkpoint and resumed in a fresh trainer ends bit-for-bit where an uninterrupted run does. */
class TrainerResumeTest {
    private static final int STEPS = 4;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "lora={0}, 8-bit={1}")
    @CsvSource({"false, true", "true, false"})
    void resumedRunEqualsStraightRun(boolean lora, boolean use8bit) throws IOException {
        TrainingData data = TrainingData.folder(TrainingFixtures.captionedFolder(tmp.resolve("data"), 3),
                MissingDataPolicy.FAIL, m -> { });
        TrainingConfig config = TrainingFixtures.config(STEPS, lora, use8bit);

        Trainer straight = new Trainer(load(), data, config);
        for (int i = 0; i < STEPS; i++) {
            straight.step();
        }

        Trainer first = new Trainer(load(), data, config);
        first.step();
        first.step();
        Path checkpoint = Checkpoints.save(first, tmp.resolve("out"), configFile());
        first.step(); // work after the checkpoint is lost, as if killed

        Trainer resumed = new Trainer(load(), data, config);
        Checkpoints.restore(resumed, checkpoint);
        assertThat(resumed.stepsDone()).isEqualTo(2);
        resumed.step();
        resumed.step();

        assertSameValues(straight.trainable(), resumed.trainable());
        assertSameEma(straight, resumed);
        assertThat(resumed.randomState()).isEqualTo(straight.randomState());
        // the model actually moved (otherwise equality proves nothing)
        Trainer untouched = new Trainer(load(), data, config);
        assertThat(untouched.trainable().getFirst().value()).isNotEqualTo(straight.trainable().getFirst().value());
    }

    private static AmusedModel load() {
        return AmusedModel.load(TrainingFixtures.tinyModel(), null);
    }

    private static Path configFile() {
        return TrainingFixtures.tinyModel().resolve("transformer/config.json");
    }

    static void assertSameValues(List<Parameter> expected, List<Parameter> actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).name()).isEqualTo(expected.get(i).name());
            assertThat(actual.get(i).value()).as(expected.get(i).name()).isEqualTo(expected.get(i).value());
        }
    }

    private static void assertSameEma(Trainer expected, Trainer actual) {
        assertThat(actual.ema().steps()).isEqualTo(expected.ema().steps());
        for (int i = 0; i < expected.trainable().size(); i++) {
            assertThat(actual.ema().shadow(i)).isEqualTo(expected.ema().shadow(i));
        }
    }
}
