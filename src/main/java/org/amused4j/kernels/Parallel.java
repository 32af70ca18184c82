package org.amused4j.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A tiny parallel-for over a fixed team sized to the machine's cores ({@code -Damused.threads=N} overrides). Work is
 * split into at most {@code threads} contiguous chunks so each thread touches one region of the output.
 *
 * <p>The calling thread runs the first chunk itself and {@code threads − 1} workers run the others. Between jobs a
 * worker spins for a while (~0.3 ms on Zen 4) before it parks, because a model pass is hundreds of kernel calls a
 * fraction of a millisecond apart. The fork-join pool this replaces blocked the caller and woke a parked worker per
 * chunk: a 512×1024 RMSNorm took 120–200 µs on two threads against 90 µs on one (now 46–50 µs, ~95 µs when the
 * worker has parked), and the shapes model's 200-image evaluation took 40 s instead of 20 (BENCHMARKS.md).
 *
 * <p>A call made from inside a job (a worker's chunk, or the caller's) runs serially on its thread; calls from
 * different threads outside jobs take turns.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("amused.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final Team TEAM = THREADS > 1 ? new Team(THREADS - 1) : null;

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /** The threads a call made here would run on: 1 inside a job (nested calls run serially), else all. */
    public static int threadsHere() {
        return TEAM == null || TEAM.isInsideJob() ? 1 : THREADS;
    }

    /** Calls {@code body} for every i in [0, n), in parallel when worthwhile. */
    public static void forEach(int n, IntConsumer body) {
        forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /**
     * Calls {@code body} for every i in [0, n), each i taken by whichever thread is free next rather than in fixed
     * contiguous chunks: for a few dozen items of equal size, where a core slowed by other work would otherwise
     * leave the other waiting at the join.
     */
    public static void forEachTaken(int n, IntConsumer body) {
        AtomicInteger next = new AtomicInteger();
        forEach(Math.min(threadsHere(), n), worker -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                body.accept(i);
            }
        });
    }

    /** Splits [0, n) into contiguous ranges and runs them in parallel. */
    public static void forRange(int n, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (TEAM == null || n == 1 || TEAM.isInsideJob()) {
            body.run(0, n);
            return;
        }
        TEAM.run(body, n, Math.min(n, THREADS));
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** One call's work; immutable apart from its completion count, published to the workers in one write. */
    private static final class Job {
        final RangeBody body;
        final int n;
        final int chunks;
        /** Worker chunks not finished yet (the caller's own is not counted). */
        final AtomicInteger pending;
        volatile Throwable failure;

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.pending = new AtomicInteger(chunks - 1);
        }

        void runChunk(int chunk) {
            body.run((int) ((long) n * chunk / chunks), (int) ((long) n * (chunk + 1) / chunks));
        }
    }

    /** The workers and the job they share; chunk 0 of a job is the caller's, chunk i the i-th worker's. */
    private static final class Team {
        /** Spin-wait iterations (Thread.onSpinWait, ~tens of ns each) before a waiting thread parks. */
        private static final int SPINS = 1 << 14;

        private final Worker[] workers;
        private final ReentrantLock lock = new ReentrantLock();
        /** The latest job; workers start one when this changes. */
        private volatile Job job;
        private volatile Thread caller;
        private volatile boolean callerParked;

        Team(int size) {
            workers = new Worker[size];
            for (int i = 0; i < size; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        boolean isInsideJob() {
            return Thread.currentThread() instanceof Worker || lock.isHeldByCurrentThread();
        }

        void run(RangeBody body, int n, int chunks) {
            lock.lock();
            try {
                Job current = new Job(body, n, chunks);
                caller = Thread.currentThread();
                job = current;
                for (int i = 0; i < chunks - 1; i++) {
                    workers[i].wake();
                }
                try {
                    current.runChunk(0);
                } finally {
                    // Even when the caller's chunk failed: the next job must not start under running workers.
                    awaitWorkers(current);
                }
                Throwable t = current.failure;
                if (t instanceof RuntimeException e) {
                    throw e;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                if (t != null) {
                    throw new IllegalStateException(t);
                }
            } finally {
                lock.unlock();
            }
        }

        private void awaitWorkers(Job current) {
            for (int spins = 0; current.pending.get() != 0; spins++) {
                if (spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    callerParked = true;
                    if (current.pending.get() != 0) {
                        LockSupport.park(this);
                    }
                    callerParked = false;
                }
            }
        }

        /** A worker's chunk is done (or failed): the last one to finish wakes a caller that stopped spinning. */
        void finished(Job done, Throwable t) {
            if (t != null) {
                done.failure = t;
            }
            if (done.pending.decrementAndGet() == 0 && callerParked) {
                LockSupport.unpark(caller);
            }
        }
    }

    private static final class Worker extends Thread {
        private final Team team;
        private final int chunk;
        private volatile boolean parked;

        Worker(Team team, int chunk) {
            super("amused-parallel-" + chunk);
            this.team = team;
            this.chunk = chunk;
            setDaemon(true);
        }

        void wake() {
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            Job seen = null;
            while (true) {
                for (int spins = 0; team.job == seen; spins++) {
                    if (spins < Team.SPINS) {
                        Thread.onSpinWait();
                    } else {
                        // Dekker-style with wake(): the caller publishes the job and then reads parked; we set
                        // parked and then read the job, so at least one of us sees the other's write.
                        parked = true;
                        if (team.job == seen) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                Job current = team.job;
                seen = current;
                if (chunk < current.chunks) {
                    Throwable failure = null;
                    try {
                        current.runChunk(chunk);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    team.finished(current, failure);
                }
            }
        }
    }
}
