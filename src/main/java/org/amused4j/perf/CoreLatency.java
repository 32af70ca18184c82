package org.amused4j.perf;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How long a cache line takes to go from one core to another and back, measured by two threads passing a counter
 * back and forth. On the 2-vCPU benchmark machine (a KVM guest whose vCPUs the host moves) it tells the placements
 * of its cores apart: 68–165 ns in the usual one, 310–381 ns in the machine's "slow phases", when the two-thread
 * kernels run up to ~20 % slower (every product reads data the other core wrote); BENCHMARKS.md, 28 Nov.
 */
public final class CoreLatency {
    private static final int ROUND_TRIPS = 200_000;
    /** Round trips run first, not counted, while the JIT compiles the loops (in bench: 100-130 -> 87-96 ns). */
    private static final int WARM_UP = 50_000;
    /**
     * Each measurement stops after this long whatever it has done: on fewer free cores than threads (other load,
     * or more threads asked for than the machine has) every round trip waits for the scheduler.
     */
    private static final long BUDGET_NANOS = 500_000_000L;
    private static final int STOPPED = -1;

    private CoreLatency() {
    }

    /** Mean nanoseconds per round trip between the calling thread and a second one. */
    public static double roundTripNanos() {
        pingPong(WARM_UP);
        return pingPong(ROUND_TRIPS);
    }

    private static double pingPong(int roundTrips) {
        AtomicInteger turn = new AtomicInteger();
        Thread echo = Thread.ofPlatform().daemon().start(() -> {
            for (int expected = 1; ; ) {
                int seen = turn.get();
                if (seen == STOPPED) {
                    return;
                }
                if (seen == expected) {
                    turn.set(seen + 1);
                    expected += 2;
                } else {
                    Thread.onSpinWait();
                }
            }
        });
        long start = System.nanoTime();
        long elapsed = 0;
        int done = 0;
        while (done < roundTrips && elapsed < BUDGET_NANOS) {
            turn.set(2 * done + 1);
            while (turn.get() != 2 * done + 2) {
                Thread.onSpinWait();
            }
            done++;
            if ((done & 63) == 0) {
                elapsed = System.nanoTime() - start;
            }
        }
        elapsed = System.nanoTime() - start;
        turn.set(STOPPED);
        try {
            echo.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return elapsed / (double) done;
    }
}
