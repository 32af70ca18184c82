package org.amused4j.sampling;

import org.amused4j.tensor.AmusedException;

/**
 * Replays a recorded uniform stream (the golden {@code uniform_stream} tensors, or the uniforms of one scheduler
 * case) in order, so that Java consumes exactly the numbers the reference run consumed.
 */
public final class ReplayRandomSource implements RandomSource {
    private final float[] stream;
    private int position;

    /** Replays {@code stream} (not copied) from its first element. */
    public ReplayRandomSource(float[] stream) {
        for (int i = 0; i < stream.length; i++) {
            if (!(stream[i] >= 0f && stream[i] < 1f)) {
                throw new AmusedException("replay stream: value " + stream[i] + " at index " + i + " is not in [0, 1)");
            }
        }
        this.stream = stream;
    }

    @Override
    public float nextUniform() {
        if (position >= stream.length) {
            throw new AmusedException("replay stream exhausted: all " + stream.length
                    + " recorded uniforms are used and another one was requested (the sampler consumed more"
                    + " random numbers than the recorded run)");
        }
        return stream[position++];
    }

    @Override
    public void fill(float[] out, int from, int to) {
        int count = to - from;
        if (count > remaining()) {
            throw new AmusedException("replay stream exhausted: " + count + " uniforms requested at position "
                    + position + " but only " + remaining() + " of " + stream.length + " recorded remain");
        }
        System.arraycopy(stream, position, out, from, count);
        position += count;
    }

    /** How many uniforms have been consumed. */
    public int position() {
        return position;
    }

    /** How many recorded uniforms are left; a finished replay should have none. */
    public int remaining() {
        return stream.length - position;
    }
}
