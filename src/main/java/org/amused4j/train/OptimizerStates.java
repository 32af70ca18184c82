package org.amused4j.train;

import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.AmusedException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reading saved optimizer/EMA state back into existing arrays, checking that the sizes agree. */
final class OptimizerStates {
    private OptimizerStates() {
    }

    /** Copies the float32 tensor {@code name} into {@code target}. */
    static void copy(SafeTensors in, String name, float[] target) {
        float[] values = in.load(name).data();
        requireLength(in, name, values.length, target.length);
        System.arraycopy(values, 0, target, 0, target.length);
    }

    /** Copies the U8 tensor {@code name} into {@code target}. */
    static void copy(SafeTensors in, String name, byte[] target) {
        MemorySegment seg = in.segment(name);
        requireLength(in, name, seg.byteSize(), target.length);
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, target, 0, target.length);
    }

    private static void requireLength(SafeTensors in, String name, long found, int expected) {
        if (found != expected) {
            throw new AmusedException(in.file() + ": state '" + name + "' has " + found + " elements, the model needs "
                    + expected + " (a checkpoint of another model or configuration?)");
        }
    }
}
