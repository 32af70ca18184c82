package org.amused4j.kernels;

import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parallel-for (the tests run with the machine's thread count: two or more on every CI runner we use). */
class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnceInContiguousRanges() {
        for (int n : new int[] {1, 2, 3, 7, 64, 1000, 100_003}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            List<int[]> ranges = new ArrayList<>();
            Parallel.forRange(n, (from, to) -> {
                synchronized (ranges) {
                    ranges.add(new int[] {from, to});
                }
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertThat(seen.get(i)).as("index %d of %d", i, n).isEqualTo(1);
            }
            assertThat(ranges).hasSize(Math.min(n, Parallel.threads()));
        }
    }

    @Test
    void theWorkIsSharedByTheCallerAndTheWorkers() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        Thread caller = Thread.currentThread();
        Parallel.forEach(Parallel.threads(), i -> {
            threads.add(Thread.currentThread());
            LockSupport.parkNanos(20_000_000); // long enough that no thread can take two chunks
        });
        assertThat(threads).hasSize(Parallel.threads()).contains(caller);
    }

    /** Thousands of short jobs back to back: the hand-over between spinning, parking and waking loses none. */
    @RepeatedTest(3)
    void manyShortJobsAndJobsAfterIdleGapsAllComplete() {
        long total = 0;
        for (int job = 0; job < 20_000; job++) {
            AtomicIntegerArray hits = new AtomicIntegerArray(4);
            Parallel.forEach(4, hits::incrementAndGet);
            for (int i = 0; i < 4; i++) {
                total += hits.get(i);
            }
            if (job % 5000 == 0) {
                LockSupport.parkNanos(5_000_000); // let the workers stop spinning and park
            }
        }
        assertThat(total).isEqualTo(80_000);
    }

    @Test
    void aNestedCallRunsOnTheThreadThatMadeIt() {
        AtomicIntegerArray seen = new AtomicIntegerArray(64);
        Parallel.forEach(8, outer -> Parallel.forEach(8, inner -> {
            assertThat(seen.incrementAndGet(outer * 8 + inner)).isEqualTo(1);
        }));
        for (int i = 0; i < 64; i++) {
            assertThat(seen.get(i)).isEqualTo(1);
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCallerAsItself() {
        for (int failing = 0; failing < Parallel.threads(); failing++) {
            int bad = failing;
            assertThatThrownBy(() -> Parallel.forEach(Parallel.threads(), i -> {
                if (i == bad) {
                    throw new AmusedException("chunk " + bad);
                }
            })).isInstanceOf(AmusedException.class).hasMessage("chunk " + bad);
        }
        // and the team still works afterwards
        AtomicIntegerArray seen = new AtomicIntegerArray(10);
        Parallel.forEach(10, seen::incrementAndGet);
        for (int i = 0; i < 10; i++) {
            assertThat(seen.get(i)).isEqualTo(1);
        }
    }

    @Test
    void callsFromSeveralThreadsAtOnceAllComplete() throws InterruptedException {
        int callers = 4;
        long[] sums = new long[callers];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int id = c;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int job = 0; job < 2000; job++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(16);
                    Parallel.forEach(16, hits::incrementAndGet);
                    for (int i = 0; i < 16; i++) {
                        sums[id] += hits.get(i);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        for (int c = 0; c < callers; c++) {
            assertThat(sums[c]).as("caller %d", c).isEqualTo(2000L * 16);
        }
    }
}
