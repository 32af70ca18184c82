package org.amused4j.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Bytes moved, as a JMH auxiliary counter in units of 10⁹: reported as GB/s (see {@link FlopCounter}). */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCounter {
    public double gbyte;

    @Setup(Level.Iteration)
    public void reset() {
        gbyte = 0;
    }
}
