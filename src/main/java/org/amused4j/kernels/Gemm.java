package org.amused4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.amused4j.tensor.FloatWeight;
import org.amused4j.tensor.HalfWeight;
import org.amused4j.tensor.Transpose;
import org.amused4j.tensor.Weight;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Blocked, packed single-precision GEMM in the style of BLIS/GotoBLAS.
 *
 * <p>Loop nest (per block of at most {@link #MC} rows): K in slabs ({@link #slab}); for each slab the rows of
 * op(A) are packed into MR-row panels
 * (k-major, so one k step's MR values are adjacent), then N in blocks of {@link #NC} whose op(B) block is
 * packed into NR-column panels (k-major). The micro-kernel multiplies one MR×KC A panel (kept in L1 while it
 * sweeps the NC block) by one KC×NR B panel (streamed from L2) into MR×NR accumulators held in registers.
 * Transposes are absorbed by the packing, so the kernel never sees them.
 *
 * <p>Threads: when N ≥ M (every linear layer of the transformer), op(A) is packed once for all the column blocks
 * (NC wide, narrower for the last round: {@link #columnBlocks}), which are handed out one at a time, each thread
 * packing its blocks of B; each panel of A is packed by the first thread that needs it ({@link SharedA}).
 * Otherwise (rows outnumber columns, or A is too large to hold packed) the work is split into one fixed part per
 * thread, by rows or columns, each running the whole nest with its own packing buffers.
 */
final class Gemm {
    private static final VectorSpecies<Float> S = VectorMath.SPECIES;
    private static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;
    /** MR floats as one vector, where the machine's vectors are that wide (else null: copied a float at a time). */
    private static final VectorSpecies<Float> PANEL_ROW = MR * Float.SIZE <= S.vectorBitSize()
            ? VectorSpecies.of(float.class, VectorShape.forBitSize(MR * Float.SIZE)) : null;
    /**
     * The K slab where K exceeds {@link #MAX_SLAB} ({@link #slab}). Measured best on Zen 4 (32 KiB L1d, 1 MiB L2) among
     * KC 256..1024 × NC 128..512 at M=512, K=1024, N=4096, when both threads shared each 512-row product: the A
     * micro-panel (MR×KC, 16 KiB) stays in L1 while it sweeps the B block (KC×NC, 256 KiB) held in L2. The long K slab
     * also halves C read-modify-writes and gives the transposed-B packing longer row runs.
     */
    static final int KC = 512;
    /** The longest K taken as one slab ({@link #slab}). */
    static final int MAX_SLAB = 2 * KC;
    static final int NC = Math.max(NR, 128 / NR * NR);
    /** Rows packed at once: 1024×MAX_SLAB floats = 4 MiB per thread at most. */
    static final int MC = 1024;
    /** Most half-precision values of B copied for one call of {@link #multiply} (1 MiB). */
    private static final int STAGED_VALUES = 1 << 19;
    /** Largest op(A), in floats, packed whole and shared by the column parts (16 MiB, kept per calling thread). */
    private static final long MAX_SHARED_A = 1 << 22;
    /**
     * The K slab of a product: all of K up to {@link #MAX_SLAB}, else KC. The transformer's linears (K = 768 or 1024,
     * one image's 256 rows per thread in the U-ViT's image groups) then store each C tile once instead of reading,
     * adding and storing it again, with one kernel call per tile instead of two (one thread, 256×1024×1024 from weight
     * panels 108.5 → 110 GFLOP/s; the amused-256 pass gains ~1 %, inside its run-to-run spread), while the training
     * products, whose K is the batch's rows (thousands), keep KC: with slabs of 1024 the shapes model's joint step took
     * 406–426 ms instead of 343–356 (BENCHMARKS.md).
     */
    static int slab(int k) {
        return k <= MAX_SLAB ? k : KC;
    }

    /** Below this many flops a single thread finishes before a fork would pay off. */
    private static final long PARALLEL_MIN_FLOPS = 1L << 21;

    /** The weight files' 16-bit values, read into a native-order heap copy. */
    private static final ValueLayout.OfShort HALF_BITS =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private Gemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        run(transA, m, n, k, alpha, a, aOff, lda, new ArrayB(transB, b, bOff, ldb), beta, c, cOff, ldc);
    }

    /** C = A·Wᵀ + beta·C for a weight W [n, k]: float32 weights take the array path, half ones widen in packing. */
    static void linear(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta,
                       float[] c, int cOff, int ldc) {
        BOperand b = operand(w, n, k, columnsShareA(m, n, k));
        run(false, m, n, k, 1f, a, aOff, lda, b, beta, c, cOff, ldc);
        filled(b);
    }

    /**
     * Wᵀ for a weight W [n, k] as op(B): from the {@link WeightPanels} of this thread's store where it has them,
     * else packed from W, keeping the panels in that store if {@code packsBlocksOnce} (the product packs every
     * column block exactly once: the shared-A path) and no product has claimed them yet; see {@link #filled}.
     */
    private static BOperand operand(Weight w, int n, int k, boolean packsBlocksOnce) {
        return switch (w) {
            case FloatWeight f -> new ArrayB(true, f.tensor().data(), 0, k);
            case HalfWeight h -> {
                WeightPanels.Panels panels = n == h.shape()[0] ? WeightPanels.of(h) : null;
                if (panels != null && panels.ready()) {
                    yield new PanelB(panels, 0, k);
                }
                HalfB packed = new HalfB(h, null, 0, k);
                yield panels != null && packsBlocksOnce && panels.claim() ? new FillingB(packed, panels, 0) : packed;
            }
        };
    }

    /** After a product with {@link #operand}: its panels, if it filled them, are ready for the next products. */
    private static void filled(BOperand b) {
        if (b instanceof FillingB f) {
            f.panels().filled();
        } else if (b instanceof HalfB h) {
            WeightPanels.Panels panels = WeightPanels.of(h.w());
            if (panels != null && panels.claimed()) {
                // Another product (the U-ViT's other image group) fills this weight's panels: the pages this one
                // read after that product released them would otherwise stay resident beside the panels.
                h.w().releasePages();
            }
        }
    }

    /** Whether {@link #run} takes the {@link #columnsSharingA} path for an m×n×k product. */
    private static boolean columnsShareA(int m, int n, int k) {
        return 2L * m * n * k >= PARALLEL_MIN_FLOPS && n >= m && sharesA(m, k);
    }

    /** C = A·W + beta·C for a weight W [k, n]: float32 weights take the array path, half ones widen in packing. */
    static void multiplyByWeight(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta,
                                 float[] c, int cOff, int ldc) {
        BOperand b = switch (w) {
            case FloatWeight f -> new ArrayB(false, f.tensor().data(), 0, n);
            case HalfWeight h -> new HalfRowsB(h, 0, n);
        };
        run(false, m, n, k, 1f, a, aOff, lda, b, beta, c, cOff, ldc);
    }

    private static void run(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                            BOperand b, float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0 || alpha == 0) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        // Inside a job (attention's per-head products) the parts run one after another on this thread: one part.
        int threads = Parallel.threadsHere();
        if (2L * m * n * k < PARALLEL_MIN_FLOPS) {
            serial(transA, m, n, k, alpha, a, aOff, lda, b, beta, c, cOff, ldc);
            return;
        }
        // Splitting columns needs all of A in every part (shared below when it fits), and rows all of B. One
        // thread takes the same paths (as a single part): its column blocks then stage their half-precision rows
        // (HalfB.staged).
        boolean byColumns = n >= m;
        if (columnsShareA(m, n, k)) {
            columnsSharingA(transA, m, n, k, alpha, a, aOff, lda, b, beta, c, cOff, ldc, threads);
            return;
        }
        int units = byColumns ? ceilDiv(n, NR) : ceilDiv(m, MR);
        int unit = byColumns ? NR : MR;
        int parts = Math.min(threads, units);
        int extent = byColumns ? n : m;
        Parallel.forEach(parts, part -> {
            int from = Math.min(extent, (int) ((long) units * part / parts) * unit);
            int to = Math.min(extent, (int) ((long) units * (part + 1) / parts) * unit);
            if (from >= to) {
                return;
            }
            if (byColumns) {
                serial(transA, m, to - from, k, alpha, a, aOff, lda, b.fromColumn(from),
                        beta, c, cOff + from, ldc);
            } else {
                int aShift = transA ? from : from * lda;
                serial(transA, to - from, n, k, alpha, a, aOff + aShift, lda, b,
                        beta, c, cOff + from * ldc, ldc);
            }
        });
    }

    /** Whether {@link #columnsSharingA} (and {@link #pairedColumns}) can hold all of an m×k op(A) packed. */
    private static boolean sharesA(int m, int k) {
        return m <= MC && (long) ceilDiv(m, MR) * MR * k <= MAX_SHARED_A;
    }

    /**
     * Columns in NC blocks sharing one packing of op(A): the threads first pack a share of A's row panels each
     * (all K slabs), then take column blocks one at a time and multiply each by the whole of A. Against fixed
     * halves, each packing all of A, the amused-256 transformer pass was faster in 7 of 7 alternating runs
     * (2.60–2.84 s against 2.76–3.10 s; BENCHMARKS.md).
     */
    private static void columnsSharingA(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff,
                                        int lda, BOperand b, float beta, float[] c, int cOff, int ldc, int threads) {
        SharedA shared = new SharedA(transA, m, k, a, aOff, lda, threads);
        int[] starts = columnBlocks(n, threads);
        Parallel.forEachTaken(starts.length - 1, block -> multiply(transA, m, starts[block + 1] - starts[block], k,
                alpha, a, aOff, lda, shared, shared.first(block), b.fromColumn(starts[block]), beta, c,
                cOff + starts[block], ldc));
    }

    /** Receives one block of {@link #pairedColumns}' products. */
    @FunctionalInterface
    interface PairedBlock {
        /**
         * @param products [m, 2·width] (leading dimension 2·width): columns [from, from + width) of A·Wᵀ, then the
         *                 same columns of the second half, [half + from, half + from + width)
         */
        void accept(float[] products, int from, int width);
    }

    /**
     * A·Wᵀ for a weight W [2·half, k] whose two halves of rows pair up column by column (GEGLU's value and gate),
     * block by block: each block's two column ranges go into a per-thread [m, 2·width] buffer that {@code block}
     * consumes before the thread takes its next block, so the [m, 2·half] product never exists. A is packed once,
     * as in {@link #columnsSharingA}. Returns false, doing nothing, where A is too large to share.
     */
    static boolean pairedColumns(int m, int half, int k, float[] a, int aOff, int lda, Weight w, PairedBlock block) {
        if (m <= 0 || half <= 0 || k <= 0 || !sharesA(m, k) || 4L * m * half * k < PARALLEL_MIN_FLOPS) {
            return false;
        }
        BOperand b = operand(w, 2 * half, k, true);
        int threads = Parallel.threadsHere();
        SharedA shared = new SharedA(false, m, k, a, aOff, lda, threads);
        int[] starts = columnBlocks(half, threads);
        Parallel.forEachTaken(starts.length - 1, j -> {
            int from = starts[j];
            int width = starts[j + 1] - from;
            float[] products = BUFFERS.get().pairedProducts(m * 2 * width);
            int first = shared.first(j);
            multiply(false, m, width, k, 1f, a, aOff, lda, shared, first, b.fromColumn(from), 0f, products, 0,
                    2 * width);
            multiply(false, m, width, k, 1f, a, aOff, lda, shared, first, b.fromColumn(half + from), 0f, products,
                    width, 2 * width);
            block.accept(products, from, width);
        });
        filled(b);
        return true;
    }

    /**
     * A·W_iᵀ into {@code outs[i]} (leading dimension N_i) for several weights W_i [N_i, k] of one A: A is packed
     * once and the column blocks of all the products are handed out together (whole NC blocks, the narrower
     * ones of {@link #columnBlocks} only at the end of the last), so one packing of A and one join serve them all.
     * Returns false, doing nothing, where a product would not take the {@link #columnsSharingA} path on its own.
     */
    static boolean linears(int m, int k, float[] a, int lda, Weight[] ws, float[][] outs) {
        int count = ws.length;
        int[] widths = new int[count];
        for (int i = 0; i < count; i++) {
            widths[i] = ws[i].shape()[0];
            if (!columnsShareA(m, widths[i], k)) {
                return false;
            }
        }
        BOperand[] bs = new BOperand[count];
        List<int[]> blocks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            bs[i] = operand(ws[i], widths[i], k, true);
            int[] starts = i == count - 1 ? columnBlocks(widths[i], Parallel.threadsHere()) : wholeBlocks(widths[i]);
            for (int j = 0; j + 1 < starts.length; j++) {
                blocks.add(new int[] {i, starts[j], starts[j + 1]});
            }
        }
        SharedA shared = new SharedA(false, m, k, a, 0, lda, Parallel.threadsHere());
        Parallel.forEachTaken(blocks.size(), j -> {
            int[] block = blocks.get(j);
            int i = block[0];
            multiply(false, m, block[2] - block[1], k, 1f, a, 0, lda, shared, shared.first(j),
                    bs[i].fromColumn(block[1]), 0f, outs[i], block[1], widths[i]);
        });
        for (BOperand b : bs) {
            filled(b);
        }
        return true;
    }

    /** Where the NC-wide column blocks of n start (and, last, n). */
    private static int[] wholeBlocks(int n) {
        int[] starts = new int[ceilDiv(n, NC) + 1];
        for (int j = 0; j < starts.length; j++) {
            starts[j] = Math.min(n, j * NC);
        }
        return starts;
    }

    /**
     * Where the column blocks of {@link #columnsSharingA} start (and, last, n), handed out one at a time rather
     * than in fixed halves (a core slowed by other work takes fewer instead of leaving the other one waiting at
     * the join): NC wide while every thread still has a whole one to take, then a quarter of that, so the threads
     * finish within a small block of each other (at n = 1024 the last of eight 128-column blocks left one core
     * idle for up to a block's time).
     */
    static int[] columnBlocks(int n, int threads) {
        int tail = Math.max(NR, NC / 4 / NR * NR);
        int[] starts = new int[ceilDiv(n, tail) + 1];
        int count = 0;
        int from = 0;
        while (from < n) {
            starts[count++] = from;
            from += n - from > threads * NC ? NC : tail;
        }
        starts[count++] = n;
        return Arrays.copyOf(starts, count);
    }

    /** C = beta·C, with beta = 0 clearing C whatever it held. */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0 ? 0f : beta * c[row + j];
            }
        }
    }

    private static void serial(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                               BOperand b, float beta, float[] c, int cOff, int ldc) {
        if (m > MC) {
            // Row blocks bound the packed-A buffer (MC×KC floats); re-packing B per block costs 1/MC of the work.
            for (int i0 = 0; i0 < m; i0 += MC) {
                int aShift = transA ? i0 : i0 * lda;
                serial(transA, Math.min(MC, m - i0), n, k, alpha, a, aOff + aShift, lda, b,
                        beta, c, cOff + i0 * ldc, ldc);
            }
            return;
        }
        multiply(transA, m, n, k, alpha, a, aOff, lda, null, 0, b, beta, c, cOff, ldc);
    }

    /**
     * The loop nest for m ≤ MC rows of C. With {@code shared}, op(A)'s panels come from there, from panel
     * {@code first} on (wrapping round; the order of the panels does not change any value); otherwise each slab of
     * A is packed into this thread's buffer here.
     */
    private static void multiply(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                 SharedA shared, int first, BOperand b, float beta, float[] c, int cOff, int ldc) {
        Buffers buf = BUFFERS.get();
        b = b.staged(n, k, buf);
        int panels = ceilDiv(m, MR);
        int slab = slab(k);
        float[] ap = shared != null ? shared.packed : buf.packedA(panels * MR * slab);
        float[] bp = buf.packedB(Math.min(ceilDiv(n, NR) * NR, NC) * slab);
        float[] tile = buf.tile;
        // beta = 0: the first K slab stores alpha·acc (C is never read, so garbage or NaN in it is overwritten);
        // any other beta is applied up front, leaving every slab a C += alpha·acc.
        boolean overwrite = beta == 0f;
        if (!overwrite && beta != 1f) {
            scale(m, n, beta, c, cOff, ldc);
        }
        for (int p0 = 0; p0 < k; p0 += slab) {
            int kc = Math.min(slab, k - p0);
            boolean store = overwrite && p0 == 0;
            if (shared == null) {
                packA(transA, a, aOff, lda, m, p0, kc, ap, 0);
            }
            for (int j0 = 0; j0 < n; j0 += NC) {
                int nc = Math.min(NC, n - j0);
                b.pack(p0, kc, j0, nc, bp, buf);
                for (int panel = 0; panel < panels; panel++) {
                    int i0 = (first + panel) % panels * MR;
                    int mr = Math.min(MR, m - i0);
                    int aIdx = shared != null ? shared.ready(p0, kc, i0) : i0 * kc;
                    for (int jj = 0; jj < nc; jj += NR) {
                        int nr = Math.min(NR, nc - jj);
                        int bIdx = jj * kc;
                        int cIdx = cOff + i0 * ldc + j0 + jj;
                        if (mr == MR && nr == NR) {
                            kernel(ap, aIdx, bp, bIdx, kc, alpha, store, c, cIdx, ldc);
                        } else {
                            kernel(ap, aIdx, bp, bIdx, kc, 1f, true, tile, 0, NR);
                            addTile(tile, mr, nr, alpha, store, c, cIdx, ldc);
                        }
                    }
                }
            }
        }
    }

    /** Packs rows [0, m) × k-range [p0, p0+kc) of op(A) into MR-row panels at apOff, zero-padding the last. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int m, int p0, int kc, float[] ap,
                              int apOff) {
        for (int i0 = 0; i0 < m; i0 += MR) {
            int base = apOff + i0 * kc;
            int mr = Math.min(MR, m - i0);
            if (transA && mr == MR && PANEL_ROW != null) {
                // Each k step's MR values are one contiguous run of op(A)'s column: a vector copy.
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(PANEL_ROW, a, aOff + (p0 + p) * lda + i0).intoArray(ap, base + p * MR);
                }
            } else if (transA) {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i0;
                    int dst = base + p * MR;
                    for (int r = 0; r < mr; r++) {
                        ap[dst + r] = a[src + r];
                    }
                    for (int r = mr; r < MR; r++) {
                        ap[dst + r] = 0f;
                    }
                }
            } else if (mr == MR) {
                // Register-block transposes where the vectors are 16 floats wide (one-thread products ~2 % faster
                // than eight scalar row streams).
                Transpose.strided(a, aOff + i0 * lda + p0, lda, MR, kc, ap, base, MR);
            } else {
                for (int r = 0; r < mr; r++) {
                    int src = aOff + (i0 + r) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * MR + r] = a[src + p];
                    }
                }
                for (int r = mr; r < MR; r++) {
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * All of an op(A) of at most {@link #MC} rows packed for the column blocks of one call, K slab after K slab
     * (each slab MR-row panels × kc), in the calling thread's buffer. Each panel of each slab is packed by the
     * first thread that needs it, and the threads' first blocks start at different panels ({@link #first}), so
     * each thread packs its share between its products instead of all packing before a join: the packing, bound
     * by memory, then overlaps the other thread's arithmetic (512×1024×1024, 2 threads: 213–215 against 216–217
     * GFLOP/s in quiet minutes, alternating runs; starting both at panel 0 left one waiting on the other's
     * packing at every panel, 206–209).
     */
    private static final class SharedA {
        private static final int EMPTY = 0;
        private static final int PACKING = 1;
        private static final int READY = 2;
        private static final int FAILED = 3;

        private final boolean transA;
        private final float[] a;
        private final int aOff;
        private final int lda;
        private final int m;
        private final int panels;
        private final int slab;
        private final int threads;
        private final float[] packed;
        /** Per (slab, panel): EMPTY, PACKING, READY or FAILED. */
        private final AtomicIntegerArray states;

        SharedA(boolean transA, int m, int k, float[] a, int aOff, int lda, int threads) {
            this.transA = transA;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.m = m;
            this.panels = ceilDiv(m, MR);
            this.threads = threads;
            this.packed = BUFFERS.get().packedWholeA(panels * MR * k);
            this.slab = slab(k);
            this.states = new AtomicIntegerArray(panels * ceilDiv(k, slab));
        }

        /** The panel the j-th block handed out takes first: each block of the first round starts its own share. */
        int first(int block) {
            return block % threads * panels / threads;
        }

        /** Where the panel of rows from i0 of the slab at p0 starts, packing it first if no thread has. */
        int ready(int p0, int kc, int i0) {
            int at = p0 * panels * MR + i0 * kc;
            int index = p0 / slab * panels + i0 / MR;
            int state = states.get(index);
            if (state == READY) {
                return at;
            }
            if (state == EMPTY && states.compareAndSet(index, EMPTY, PACKING)) {
                boolean done = false;
                try {
                    packA(transA, a, aOff + (transA ? i0 : i0 * lda), lda, Math.min(MR, m - i0), p0, kc, packed, at);
                    done = true;
                } finally {
                    states.set(index, done ? READY : FAILED);
                }
                return at;
            }
            while ((state = states.get(index)) == PACKING) {
                Thread.onSpinWait();
            }
            if (state == FAILED) {
                throw new IllegalStateException("another thread failed packing a panel of A");
            }
            return at;
        }
    }

    /** op(B), K×N, as the packing reads it. */
    private sealed interface BOperand permits ArrayB, HalfB, HalfRowsB, PanelB, FillingB {
        /** The same operand without its first {@code j} columns. */
        BOperand fromColumn(int j);

        /** The same operand, its first n columns × k rows possibly copied to where packing reads them faster. */
        default BOperand staged(int n, int k, Buffers buffers) {
            return this;
        }

        /**
         * Packs k-range [p0, p0+kc) × columns [j0, j0+nc) into NR-column panels (k-major), zero-padding the
         * last, using the calling thread's {@code buffers} for scratch.
         */
        void pack(int p0, int kc, int j0, int nc, float[] bp, Buffers buffers);
    }

    /** A float array holding op(B) (K×N, or N×K when {@code trans}) with leading dimension {@code ld}. */
    private record ArrayB(boolean trans, float[] b, int off, int ld) implements BOperand {
        @Override
        public BOperand fromColumn(int j) {
            return new ArrayB(trans, b, off + (trans ? j * ld : j), ld);
        }

        @Override
        public void pack(int p0, int kc, int j0, int nc, float[] bp, Buffers buffers) {
            for (int jj = 0; jj < nc; jj += NR) {
                int base = jj * kc;
                int nr = Math.min(NR, nc - jj);
                if (trans) {
                    for (int col = 0; col < nr; col += L) {
                        Transpose.strided(b, off + (j0 + jj + col) * ld + p0, ld, Math.min(L, nr - col), kc,
                                bp, base + col, NR);
                    }
                    zeroColumns(bp, base, kc, nr);
                } else if (nr == NR) {
                    for (int p = 0; p < kc; p++) {
                        int src = off + (p0 + p) * ld + j0 + jj;
                        FloatVector.fromArray(S, b, src).intoArray(bp, base + p * NR);
                        FloatVector.fromArray(S, b, src + L).intoArray(bp, base + p * NR + L);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int src = off + (p0 + p) * ld + j0 + jj;
                        int dst = base + p * NR;
                        for (int col = 0; col < nr; col++) {
                            bp[dst + col] = b[src + col];
                        }
                        for (int col = nr; col < NR; col++) {
                            bp[dst + col] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * A half-precision weight W [N, K] read as op(B) = Wᵀ: the packing widens the whole K slab of a vector's
     * worth of columns into scratch, then transposes it into the panel. Whole slabs because the weights stream
     * from a memory-mapped file that no cache holds: 1 KiB runs per row let the prefetcher keep up, where 32-byte
     * pieces of 32 rows in turn left each read waiting on memory (amused-256 and -512 passes 2–4 % faster,
     * alternating runs). Register-block transposes instead of one float per panel row: passes ~5 % faster.
     */
    private record HalfB(HalfWeight w, short[] staged, long off, int ld) implements BOperand {
        @Override
        public HalfB fromColumn(int j) {
            return new HalfB(w, staged, off + (long) j * ld, ld);
        }

        /**
         * The columns' rows of W, which lie back to back, copied in one sequential sweep: reading them there,
         * K slab after K slab, beats reading each row's slab from the mapped file, where every 1 KiB run starts a
         * new stream for the prefetcher (all transformer weights: 0.145 against 0.35 ns per value read), and the
         * heap copy widens twice as fast ({@link HalfWeight#widen}).
         */
        @Override
        public HalfB staged(int n, int k, Buffers buffers) {
            long values = (long) (n - 1) * ld + k;
            if (staged != null || values > STAGED_VALUES) {
                return this;
            }
            short[] copy = buffers.staging();
            MemorySegment.copy(w.bytes(), HALF_BITS, 2 * off, copy, 0, (int) values);
            return new HalfB(w, copy, 0, ld);
        }

        @Override
        public void pack(int p0, int kc, int j0, int nc, float[] bp, Buffers buffers) {
            for (int jj = 0; jj < nc; jj += NR) {
                int base = jj * kc;
                int nr = Math.min(NR, nc - jj);
                for (int col = 0; col < nr; col += L) {
                    int cols = Math.min(L, nr - col);
                    for (int c = 0; c < cols; c++) {
                        long from = off + (long) (j0 + jj + col + c) * ld + p0;
                        if (staged == null) {
                            w.read(from, buffers.strip, c * kc, kc);
                        } else {
                            HalfWeight.widen(w.format(), staged, (int) from, buffers.strip, c * kc, kc);
                        }
                    }
                    Transpose.strided(buffers.strip, 0, kc, cols, kc, bp, base + col, NR);
                }
                zeroColumns(bp, base, kc, nr);
            }
        }
    }

    /**
     * A half-precision weight W [K, N] read as op(B) = W (no transpose): each panel row is a contiguous run of
     * W's row, widened straight into the panel.
     */
    private record HalfRowsB(HalfWeight w, long off, int ld) implements BOperand {
        @Override
        public BOperand fromColumn(int j) {
            return new HalfRowsB(w, off + j, ld);
        }

        @Override
        public void pack(int p0, int kc, int j0, int nc, float[] bp, Buffers buffers) {
            for (int jj = 0; jj < nc; jj += NR) {
                int base = jj * kc;
                int nr = Math.min(NR, nc - jj);
                for (int p = 0; p < kc; p++) {
                    w.read(off + (long) (p0 + p) * ld + j0 + jj, bp, base + p * NR, nr);
                }
                zeroColumns(bp, base, kc, nr);
            }
        }
    }

    /**
     * A half-precision weight's {@link WeightPanels}, ready: packing a block widens contiguous runs of them (no
     * transposes), from column {@code col} of op(B) = Wᵀ (a multiple of NR, as every column block starts there).
     */
    private record PanelB(WeightPanels.Panels panels, int col, int k) implements BOperand {
        @Override
        public BOperand fromColumn(int j) {
            return new PanelB(panels, col + j, k);
        }

        @Override
        public void pack(int p0, int kc, int j0, int nc, float[] bp, Buffers buffers) {
            // Copied out of native memory first: the hardware conversion loop of HalfWeight.widen only runs on a
            // heap array (segment reads take the portable bit arithmetic, twice as slow).
            short[] run = buffers.panelValues();
            for (int jj = 0; jj < nc; jj += NR) {
                long from = panelStart(col + j0 + jj, k, p0);
                MemorySegment.copy(panels.values(), ValueLayout.JAVA_SHORT, 2 * from, run, 0, kc * NR);
                HalfWeight.widen(panels.weight().format(), run, 0, bp, jj * kc, kc * NR);
            }
        }
    }

    /**
     * A half-precision weight packed as {@link HalfB} does, each packed panel also narrowed back into its
     * {@link WeightPanels} (exact: the values came from that format) for the products after this one.
     */
    private record FillingB(HalfB packed, WeightPanels.Panels panels, int col) implements BOperand {
        @Override
        public BOperand fromColumn(int j) {
            return new FillingB(packed.fromColumn(j), panels, col + j);
        }

        @Override
        public BOperand staged(int n, int k, Buffers buffers) {
            return new FillingB(packed.staged(n, k, buffers), panels, col);
        }

        @Override
        public void pack(int p0, int kc, int j0, int nc, float[] bp, Buffers buffers) {
            packed.pack(p0, kc, j0, nc, bp, buffers);
            short[] run = buffers.panelValues();
            for (int jj = 0; jj < nc; jj += NR) {
                HalfWeight.narrow(panels.weight().format(), bp, jj * kc, run, 0, kc * NR);
                long to = panelStart(col + j0 + jj, packed.ld(), p0);
                MemorySegment.copy(run, 0, panels.values(), ValueLayout.JAVA_SHORT, 2 * to, kc * NR);
            }
        }
    }

    /** Where k step p0 of the panel holding column {@code column} of Wᵀ (W [N, k]) starts, in values. */
    private static long panelStart(int column, int k, int p0) {
        return ((long) (column / NR) * k + p0) * NR;
    }

    /** Zeroes columns [nr, NR) of a k-major panel of kc steps. */
    private static void zeroColumns(float[] bp, int base, int kc, int nr) {
        for (int col = nr; col < NR; col++) {
            for (int p = 0; p < kc; p++) {
                bp[base + p * NR + col] = 0f;
            }
        }
    }

    /** C = alpha·tile ({@code store}) or C += alpha·tile over the tile's valid mr×nr corner (a partial tile). */
    private static void addTile(float[] tile, int mr, int nr, float alpha, boolean store, float[] c, int cIdx,
                                int ldc) {
        if (nr == NR) {
            FloatVector av = FloatVector.broadcast(S, alpha);
            for (int r = 0; r < mr; r++) {
                int ci = cIdx + r * ldc;
                for (int v = 0; v < NR; v += L) {
                    FloatVector t = FloatVector.fromArray(S, tile, r * NR + v);
                    (store ? t.mul(av) : t.fma(av, FloatVector.fromArray(S, c, ci + v))).intoArray(c, ci + v);
                }
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            for (int col = 0; col < nr; col++) {
                float t = alpha * tile[r * NR + col];
                c[cIdx + r * ldc + col] = store ? t : c[cIdx + r * ldc + col] + t;
            }
        }
    }

    /**
     * MR×NR = 8 × 2 vectors register tile (see the class comment), then C = alpha·acc ({@code store}) or
     * C += alpha·acc for the 8 rows of C from {@code ci} (leading dimension {@code ldc}). Stored into C here
     * rather than spilled to a scratch tile that a second loop adds to C: one-thread products ~1 % faster. The
     * stores are written out: a store helper per row would exceed C2's inlining budget and box the accumulators.
     */
    private static void kernel(float[] ap, int ai, float[] bp, int bi, int kc, float alpha, boolean store,
                               float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        FloatVector c60 = c00;
        FloatVector c61 = c00;
        FloatVector c70 = c00;
        FloatVector c71 = c00;
        for (int p = 0; p < kc; p++) {
            int ao = ai + p * MR;
            int bo = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector av = FloatVector.broadcast(S, ap[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, ap[ao + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, ap[ao + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        FloatVector av = FloatVector.broadcast(S, alpha);
        int r0 = ci;
        int r1 = r0 + ldc;
        int r2 = r1 + ldc;
        int r3 = r2 + ldc;
        int r4 = r3 + ldc;
        int r5 = r4 + ldc;
        int r6 = r5 + ldc;
        int r7 = r6 + ldc;
        if (store) {
            c00.mul(av).intoArray(c, r0);
            c01.mul(av).intoArray(c, r0 + L);
            c10.mul(av).intoArray(c, r1);
            c11.mul(av).intoArray(c, r1 + L);
            c20.mul(av).intoArray(c, r2);
            c21.mul(av).intoArray(c, r2 + L);
            c30.mul(av).intoArray(c, r3);
            c31.mul(av).intoArray(c, r3 + L);
            c40.mul(av).intoArray(c, r4);
            c41.mul(av).intoArray(c, r4 + L);
            c50.mul(av).intoArray(c, r5);
            c51.mul(av).intoArray(c, r5 + L);
            c60.mul(av).intoArray(c, r6);
            c61.mul(av).intoArray(c, r6 + L);
            c70.mul(av).intoArray(c, r7);
            c71.mul(av).intoArray(c, r7 + L);
        } else {
            c00.fma(av, FloatVector.fromArray(S, c, r0)).intoArray(c, r0);
            c01.fma(av, FloatVector.fromArray(S, c, r0 + L)).intoArray(c, r0 + L);
            c10.fma(av, FloatVector.fromArray(S, c, r1)).intoArray(c, r1);
            c11.fma(av, FloatVector.fromArray(S, c, r1 + L)).intoArray(c, r1 + L);
            c20.fma(av, FloatVector.fromArray(S, c, r2)).intoArray(c, r2);
            c21.fma(av, FloatVector.fromArray(S, c, r2 + L)).intoArray(c, r2 + L);
            c30.fma(av, FloatVector.fromArray(S, c, r3)).intoArray(c, r3);
            c31.fma(av, FloatVector.fromArray(S, c, r3 + L)).intoArray(c, r3 + L);
            c40.fma(av, FloatVector.fromArray(S, c, r4)).intoArray(c, r4);
            c41.fma(av, FloatVector.fromArray(S, c, r4 + L)).intoArray(c, r4 + L);
            c50.fma(av, FloatVector.fromArray(S, c, r5)).intoArray(c, r5);
            c51.fma(av, FloatVector.fromArray(S, c, r5 + L)).intoArray(c, r5 + L);
            c60.fma(av, FloatVector.fromArray(S, c, r6)).intoArray(c, r6);
            c61.fma(av, FloatVector.fromArray(S, c, r6 + L)).intoArray(c, r6 + L);
            c70.fma(av, FloatVector.fromArray(S, c, r7)).intoArray(c, r7);
            c71.fma(av, FloatVector.fromArray(S, c, r7 + L)).intoArray(c, r7 + L);
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** Per-thread packing space, grown on demand and reused across calls. */
    private static final class Buffers {
        final float[] tile = new float[MR * NR];
        final float[] strip = new float[L * MAX_SLAB];
        private float[] a = new float[0];
        private float[] b = new float[0];
        /** All of op(A), packed once for the column parts of one call; see {@link #columnsSharingA}. */
        private float[] wholeA = new float[0];
        /** One block's two column ranges in {@link #pairedColumns}. */
        private float[] paired = new float[0];
        private short[] staging = new short[0];
        private short[] panelValues = new short[0];

        float[] packedA(int size) {
            a = Scratch.atLeast(a, size);
            return a;
        }

        float[] packedWholeA(int size) {
            wholeA = Scratch.atLeast(wholeA, size);
            return wholeA;
        }

        /** Room for {@link #STAGED_VALUES} half-precision values. */
        short[] staging() {
            if (staging.length == 0) {
                staging = new short[STAGED_VALUES];
            }
            return staging;
        }

        /** Room for one packed panel of {@link WeightPanels} (a slab × NR values). */
        short[] panelValues() {
            if (panelValues.length == 0) {
                panelValues = new short[MAX_SLAB * NR];
            }
            return panelValues;
        }

        float[] pairedProducts(int size) {
            paired = Scratch.atLeast(paired, size);
            return paired;
        }

        float[] packedB(int size) {
            b = Scratch.atLeast(b, size);
            return b;
        }
    }
}
