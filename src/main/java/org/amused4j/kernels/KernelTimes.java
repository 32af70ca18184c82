package org.amused4j.kernels;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wall time and work per kernel while switched on ({@code amused bench}: the FLOP count of a pass, and the table of
 * {@code --kernels}): every call through {@link Kernels#get()} is timed on the thread that made it, keyed by the
 * kernel's name and, for the matrix products, their shape M×N×K. The matrix-shaped kernels (products, attention,
 * convolutions) also report the work actually done, so GFLOP/s come from it rather than from a formula; the
 * elementwise ones are not counted (a rounding error next to the GEMMs). Calls made at once from several threads
 * (training replicas, the U-ViT's image groups) add up their own times, so the sum can exceed the wall time there;
 * {@link #callers} says how many threads made them. One volatile read per kernel call when off.
 */
public final class KernelTimes {
    private static final ConcurrentHashMap<String, Totals> TOTALS = new ConcurrentHashMap<>();
    private static final Set<Long> CALLERS = ConcurrentHashMap.newKeySet();
    private static volatile boolean timing;

    private KernelTimes() {
    }

    /** One kernel (and shape): its calls, their summed wall time and floating-point operations (0 if not counted). */
    public record Entry(String kernel, long calls, long nanos, long flops) {
    }

    /** Forgets earlier calls and starts timing. */
    public static void start() {
        TOTALS.clear();
        CALLERS.clear();
        timing = true;
    }

    /** The floating-point operations (a multiply-add counts 2) of all the entries. */
    public static long flops(List<Entry> entries) {
        return entries.stream().mapToLong(Entry::flops).sum();
    }

    /** Stops timing and returns every kernel timed since {@link #start}, the longest first. */
    public static List<Entry> stop() {
        timing = false;
        return TOTALS.entrySet().stream()
                .map(e -> new Entry(e.getKey(), e.getValue().calls.sum(), e.getValue().nanos.sum(),
                        e.getValue().flops.sum()))
                .sorted(Comparator.comparingLong(Entry::nanos).reversed())
                .toList();
    }

    /** How many threads made the calls timed since {@link #start}. */
    public static int callers() {
        return CALLERS.size();
    }

    /** The start of a timed call: a timestamp, or 0 when not timing. */
    static long begin() {
        return timing ? System.nanoTime() : 0;
    }

    static void end(long begin, String kernel) {
        end(begin, kernel, 0);
    }

    /** The end of a call whose key the caller built, doing {@code flops} operations. */
    static void end(long begin, String kernel, long flops) {
        if (begin != 0) {
            add(kernel, System.nanoTime() - begin, flops);
        }
    }

    /** The end of a matrix product's call: keyed by its shape, with its 2·M·N·K operations. */
    static void end(long begin, String kernel, int m, int n, int k) {
        if (begin != 0) {
            add(kernel + " " + m + "×" + n + "×" + k, System.nanoTime() - begin, 2L * m * n * k);
        }
    }

    private static void add(String key, long nanos, long flops) {
        CALLERS.add(Thread.currentThread().threadId());
        Totals t = TOTALS.computeIfAbsent(key, x -> new Totals());
        t.calls.increment();
        t.nanos.add(nanos);
        t.flops.add(flops);
    }

    private static final class Totals {
        final LongAdder calls = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final LongAdder flops = new LongAdder();
    }
}
