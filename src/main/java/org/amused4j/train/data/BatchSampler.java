package org.amused4j.train.data;

import org.amused4j.sampling.RandomSource;

import java.util.ArrayList;
import java.util.List;

/**
 * Which examples, with which crops, make up each batch: the data loader's shuffle (a fresh permutation per epoch;
 * a batch that reaches the end of one continues into the next) and the random crops, all drawn from the trainer's
 * one random source. Its position is part of a checkpoint ({@link #state}/{@link #restore}).
 *
 * <p>Single-image training (spec 09 §2) draws its crop once, when the sampler is made, and repeats that example.
 */
public final class BatchSampler {
    /** An example of {@link TrainingData#items()} and where to crop it. */
    public record Sample(int item, TrainingImages.Crop crop) {
    }

    /** The position in the data: the epoch, the next index into its order, and the order. */
    public record State(int epoch, int cursor, int[] order) {
    }

    private final TrainingData data;
    private final int resolution;
    private final TrainingImages.Crop fixedCrop;
    private int epoch;
    private int cursor;
    private int[] order = new int[0];

    public BatchSampler(TrainingData data, int resolution, RandomSource random) {
        this.data = data;
        this.resolution = resolution;
        TrainingData.Item only = data.items().getFirst();
        this.fixedCrop = data.isSingleImage()
                ? TrainingImages.randomCrop(only.width(), only.height(), resolution, random) : null;
    }

    public List<Sample> next(int batchSize, RandomSource random) {
        List<Sample> batch = new ArrayList<>(batchSize);
        for (int b = 0; b < batchSize; b++) {
            if (fixedCrop != null) {
                batch.add(new Sample(0, fixedCrop));
                continue;
            }
            if (cursor == order.length) {
                order = shuffled(data.size(), random);
                cursor = 0;
                epoch++;
            }
            int item = order[cursor++];
            TrainingData.Item it = data.items().get(item);
            batch.add(new Sample(item, TrainingImages.randomCrop(it.width(), it.height(), resolution, random)));
        }
        return batch;
    }

    /** Completed or started epochs (1 during the first). */
    public int epoch() {
        return epoch;
    }

    public State state() {
        return new State(epoch, cursor, order.clone());
    }

    public void restore(State state) {
        if (state.cursor() < 0 || state.cursor() > state.order().length) {
            throw new IllegalArgumentException("data position " + state.cursor() + " outside an epoch of "
                    + state.order().length);
        }
        for (int i : state.order()) {
            if (i < 0 || i >= data.size()) {
                throw new IllegalArgumentException("the checkpoint's data order names example " + i + " of "
                        + data.size() + ": the data set changed");
            }
        }
        this.epoch = state.epoch();
        this.cursor = state.cursor();
        this.order = state.order().clone();
    }

    /** Fisher-Yates from the back, one uniform per swap. */
    private static int[] shuffled(int n, RandomSource random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = Math.min(i, (int) (random.nextUniform() * (i + 1)));
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
