package org.amused4j.train;

import org.amused4j.golden.Golden;
import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.uvit.LoraAdapters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small captioned image folders and configurations for training tests on the golden tiny amused-256. */
public final class TrainingFixtures {
    /** The tiny model's native size: its VQ reduces 32 px to the transformer's 8x8 grid. */
    public static final int RESOLUTION = 32;

    private TrainingFixtures() {
    }

    public static Path tinyModel() {
        return Golden.dir().resolve("models/tiny-amused-256");
    }

    /** {@code count} random images of varying sizes (some larger than the crop) with .txt captions. */
    public static Path captionedFolder(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < count; i++) {
            ByteImage img = ByteImage.blank(RESOLUTION + 4 * i, RESOLUTION + 2 * (count - i), 3);
            random.nextBytes(img.pixels());
            ImageFiles.writePng(dir.resolve("img" + i + ".png"), img, Map.of());
            Files.writeString(dir.resolve("img" + i + ".txt"), "picture number " + i);
        }
        return dir;
    }

    /** A configuration that exercises every stateful part: accumulation, dropout, clipping, warm-up, EMA. */
    public static TrainingConfig config(int maxSteps, boolean lora, boolean use8bit) {
        return new TrainingConfig(RESOLUTION, 2, 2, 1e-3, "cosine", 2, maxSteps, AdamSettings.DEFAULTS, 1e-2, use8bit,
                1.0, 0.1f, 0.5, lora ? new LoraAdapters.Config(4, 8, List.of("to_q", "to_k", "to_v")) : null, 0.999,
                0, 11, true, 2, 0, List.of(), 0);
    }
}
