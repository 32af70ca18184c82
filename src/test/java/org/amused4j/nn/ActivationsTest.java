package org.amused4j.nn;

import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ActivationsTest {
    @Test
    void whatOnePassHandsBackIsLentToTheNext() {
        Activations activations = new Activations();
        float[] first = activations.pass(tape -> {
            Tensor t = tape.output(4, 4);
            tape.recycle(t);
            return t.data();
        });
        float[] second = activations.pass(tape -> tape.output(16).data());
        float[] third = activations.pass(tape -> tape.output(16).data());

        assertThat(second).isSameAs(first);
        assertThat(third).as("kept by the caller, not handed back").isNotSameAs(first);
    }

    @Test
    void passesRunningAtTheSameTimeNeverShareStorage() throws Exception {
        Activations activations = new Activations();
        activations.pass(tape -> {
            tape.recycle(tape.output(8));
            return null;
        });
        CountDownLatch bothInside = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> a = pool.submit(() -> activations.pass(tape -> lendWhenBothInside(tape, bothInside)));
            Future<float[]> b = pool.submit(() -> activations.pass(tape -> lendWhenBothInside(tape, bothInside)));
            assertThat(a.get(10, TimeUnit.SECONDS)).isNotSameAs(b.get(10, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] lendWhenBothInside(Tape tape, CountDownLatch bothInside) {
        bothInside.countDown();
        try {
            bothInside.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return tape.output(8).data();
    }
}
