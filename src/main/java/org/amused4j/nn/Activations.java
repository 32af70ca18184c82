package org.amused4j.nn;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;

/**
 * The storage inference passes hand back ({@link Tape#recycle}), kept for the passes after them. A model run many
 * times in a row (the sampler's steps) then allocates its activations once instead of every pass, and none of them
 * lives just long enough to be promoted to the old generation and collected from there (per-pass storage raised
 * amused-256 generation's peak RSS by ~0.1 GiB). Passes that run at the same time take separate shelves; a shelf
 * keeps arrays of every size its passes used, as long as the model lives.
 */
public final class Activations {
    private final ConcurrentLinkedDeque<Map<Integer, ArrayDeque<float[]>>> shelves = new ConcurrentLinkedDeque<>();

    /** Runs {@code pass} on a {@link Tape#recycling} tape that lends from a shelf of this storage. */
    public <T> T pass(Function<Tape, T> pass) {
        Map<Integer, ArrayDeque<float[]>> shelf = shelves.poll();
        if (shelf == null) {
            shelf = new HashMap<>();
        }
        try {
            return pass.apply(Tape.recycling(shelf));
        } finally {
            shelves.push(shelf);
        }
    }
}
