package org.amused4j.kernels;

import org.amused4j.tensor.HalfWeight;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Half-precision weight matrices laid out as the GEMM's B panels, kept for the passes of one piece of work (the
 * sampling loop of a generation). A linear layer's GEMM packs its weight W [N, K] into NR-column, k-major panels on
 * every call: rows of W widened and transposed. Inside {@link #call}, the first product with a weight also keeps
 * its packed panels here, in half precision again (exact: the values came from that format), and releases the
 * weight's mapped pages; later products with it only widen contiguous runs of these panels. The amused-256
 * transformer pass gains ~2 % (BENCHMARKS.md), for the half-precision copy of the transformer's matrices held
 * in native memory until {@link #close} (allocating it costs the first pass 0.1–1.9 s); the pipeline closes the
 * store before the VQ decode, whose feature maps are amused-512's peak. (Short arrays in the heap allocated
 * faster but kept the old generation committed: amused-256 generation peaked at 2.0 GiB instead of 1.6.)
 *
 * <p>Only products that pack each column block of W exactly once take part (the transformer's linear layers: the
 * column blocks of {@code Gemm}'s shared-A path), and only weights whose row count is a multiple of NR. Products
 * outside {@link #call}, on other threads, or with other weights run as before. The results are bit for bit the
 * same either way.
 */
public final class WeightPanels implements AutoCloseable {
    private static final ScopedValue<WeightPanels> CURRENT = ScopedValue.newInstance();

    private final Arena arena = Arena.ofShared();
    private final Map<MemorySegment, Panels> byWeight = new ConcurrentHashMap<>();

    private WeightPanels() {
    }

    /** An empty store; nothing is laid out until products run inside {@link #call}. */
    public static WeightPanels open() {
        return new WeightPanels();
    }

    /** Runs {@code work} on this thread with this store serving (and collecting) the weights' panels. */
    public <T> T call(Supplier<T> work) {
        return ScopedValue.where(CURRENT, this).call(work::get);
    }

    /**
     * {@code body} made to run, on whatever thread calls it (a worker of {@link Parallel}), with the store that is
     * current on this thread, if any: the workers of a parallel-for do not inherit it.
     */
    public static IntConsumer carried(IntConsumer body) {
        if (!CURRENT.isBound()) {
            return body;
        }
        WeightPanels store = CURRENT.get();
        return i -> ScopedValue.where(CURRENT, store).run(() -> body.accept(i));
    }

    /** Frees the panels. */
    @Override
    public void close() {
        byWeight.clear();
        arena.close();
    }

    /**
     * The panels of {@code w} in the store current on this thread, created empty on first sight; null outside
     * {@link #call} or for a weight whose rows do not fill whole panels.
     */
    static Panels of(HalfWeight w) {
        if (!CURRENT.isBound() || w.shape().length != 2 || w.shape()[0] % Gemm.NR != 0) {
            return null;
        }
        WeightPanels store = CURRENT.get();
        return store.byWeight.computeIfAbsent(w.bytes(), bytes -> new Panels(store, w));
    }

    /**
     * One weight's panels: panel p (columns [p·NR, (p+1)·NR) of Wᵀ) holds K×NR values from p·K·NR, k-major. Filled
     * by exactly one product ({@link #claim}), then read by every later one ({@link #ready}).
     */
    static final class Panels {
        private static final int EMPTY = 0;
        private static final int FILLING = 1;
        private static final int READY = 2;

        private final WeightPanels store;
        private final HalfWeight weight;
        private final AtomicInteger state = new AtomicInteger(EMPTY);
        private MemorySegment values;

        private Panels(WeightPanels store, HalfWeight weight) {
            this.store = store;
            this.weight = weight;
        }

        HalfWeight weight() {
            return weight;
        }

        /** The half-precision panels; valid once {@link #ready}, or to the product that {@link #claim}ed them. */
        MemorySegment values() {
            return values;
        }

        boolean ready() {
            return state.get() == READY;
        }

        /** Whether some product has taken on filling the panels (it may still be at it). */
        boolean claimed() {
            return state.get() != EMPTY;
        }

        /**
         * Makes the caller the product that fills the panels (true once per weight): it must write every panel,
         * then call {@link #filled}. A product that fails half-way leaves them claimed, and later products pack
         * from the weight as if there were no store.
         */
        boolean claim() {
            if (!state.compareAndSet(EMPTY, FILLING)) {
                return false;
            }
            values = store.arena.allocate(2 * weight.size(), 64);
            return true;
        }

        /** Every panel written: later products read them, and the weight's mapped pages are no longer needed. */
        void filled() {
            state.set(READY);
            weight.releasePages();
        }
    }
}
