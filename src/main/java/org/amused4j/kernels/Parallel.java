package org.amused4j.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * A tiny parallel-for over a fixed pool sized to the machine's cores ({@code -Damused.threads=N}
 * overrides). Work is split into at most {@code threads} contiguous chunks so each thread touches one
 * region of the output.
 */
public final class Parallel {
    private static final int THREADS = Integer.getInteger("amused.threads",
            Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /** Calls {@code body} for every i in [0, n), in parallel when worthwhile. */
    public static void forEach(int n, IntConsumer body) {
        forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /** Splits [0, n) into contiguous ranges and runs them in parallel. */
    public static void forRange(int n, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (POOL == null || n == 1 || java.util.concurrent.ForkJoinTask.getPool() == POOL) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, THREADS);
        POOL.invoke(new Chunk(body, n, 0, chunks, chunks));
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int n;
        private final int first;
        private final int last;
        private final int chunks;

        Chunk(RangeBody body, int n, int first, int last, int chunks) {
            this.body = body;
            this.n = n;
            this.first = first;
            this.last = last;
            this.chunks = chunks;
        }

        @Override
        protected void compute() {
            if (last - first == 1) {
                int from = (int) ((long) n * first / chunks);
                int to = (int) ((long) n * (first + 1) / chunks);
                body.run(from, to);
                return;
            }
            int mid = (first + last) >>> 1;
            invokeAll(new Chunk(body, n, first, mid, chunks), new Chunk(body, n, mid, last, chunks));
        }
    }
}
