package org.amused4j.train;

import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.kernels.Parallel;
import org.amused4j.tensor.Tensor;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * bitsandbytes' {@code AdamW8bit} as {@code train_amused.py --use_8bit_adam} builds it (bitsandbytes
 * >= 0.44: block-wise states, 256 elements per block; no percentile clipping, no update-norm cap).
 * Spec 09 §5.2 and trap 44:
 * <ul>
 *   <li>tensors with fewer than {@value #MIN_8BIT_SIZE} elements keep float32 moments;</li>
 *   <li>larger ones store each moment as one byte per element (a code into {@link DynamicQuantizationMap},
 *       signed for m, unsigned for v) plus one float32 absmax per block of {@value #BLOCK_SIZE};</li>
 *   <li>the update is {@code p += -lr*c2/c1 * m / (sqrt(v) + eps*c2)} with c1 = 1 - b1^s,
 *       c2 = sqrt(1 - b2^s), from this step's un-quantized m and v; weight decay multiplies p by
 *       {@code 1 - lr*wd} AFTER the update (torch's AdamW decays before);</li>
 *   <li>elements with a NaN/inf gradient are skipped (p unchanged, their moments reset to 0).</li>
 * </ul>
 * Arithmetic is float32 like the CUDA kernels (whose {@code a*b + c} nvcc contracts to an FMA); results
 * are not bit-compared with a GPU.
 */
public final class AdamW8bit implements Optimizer {
    public static final int BLOCK_SIZE = 256;
    public static final int MIN_8BIT_SIZE = 4096;

    private static final DynamicQuantizationMap QMAP1 = DynamicQuantizationMap.signed();
    private static final DynamicQuantizationMap QMAP2 = DynamicQuantizationMap.unsigned();

    private final ParameterGroups groups;
    private final AdamSettings settings;
    private final Map<Parameter, State> states = new IdentityHashMap<>();

    public AdamW8bit(ParameterGroups groups, AdamSettings settings) {
        this.groups = groups;
        this.settings = settings;
    }

    /** One step's float32 coefficients, shared by both state layouts. */
    private record Coefficients(float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                                float stepSize, float epsC2, float decay) {
        static Coefficients of(AdamSettings settings, int step, double lr, double weightDecay) {
            float b1 = (float) settings.beta1();
            float b2 = (float) settings.beta2();
            float lrF = (float) lr;
            float c1 = 1f - (float) Math.pow(b1, step);
            float c2 = (float) Math.sqrt(1f - (float) Math.pow(b2, step));
            float decay = weightDecay > 0 ? 1f - lrF * (float) weightDecay : 1f;
            return new Coefficients(b1, 1f - b1, b2, 1f - b2, -lrF * c2 / c1, (float) settings.eps() * c2, decay);
        }

        float firstMoment(float m, float g) {
            return Math.fma(m, beta1, oneMinusBeta1 * g);
        }

        float secondMoment(float v, float g) {
            return Math.fma(v, beta2, oneMinusBeta2 * g * g);
        }

        float updated(float p, float m, float v) {
            return (p + stepSize * (m / ((float) Math.sqrt(v) + epsC2))) * decay;
        }
    }

    private abstract static sealed class State permits Fp32State, BlockwiseState {
        int step;

        abstract void update(float[] p, float[] g, Coefficients k);

        abstract long bytes();

        abstract float[] firstMoment();

        abstract float[] secondMoment();

        /** Adds the moments as {@code prefix + field} tensors. */
        abstract void save(String prefix, SafeTensorsWriter out);

        /** Reads what {@link #save} wrote. */
        abstract void load(String prefix, SafeTensors in);
    }

    /** The path for small tensors: plain float32 moments. */
    private static final class Fp32State extends State {
        private final float[] m;
        private final float[] v;

        Fp32State(int n) {
            m = new float[n];
            v = new float[n];
        }

        @Override
        void update(float[] p, float[] g, Coefficients k) {
            for (int i = 0; i < p.length; i++) {
                float gi = g[i];
                if (!Float.isFinite(gi)) {
                    m[i] = 0f;
                    v[i] = 0f;
                    continue;
                }
                m[i] = k.firstMoment(m[i], gi);
                v[i] = k.secondMoment(v[i], gi);
                p[i] = k.updated(p[i], m[i], v[i]);
            }
        }

        @Override
        long bytes() {
            return 8L * m.length;
        }

        @Override
        float[] firstMoment() {
            return m.clone();
        }

        @Override
        float[] secondMoment() {
            return v.clone();
        }

        @Override
        void save(String prefix, SafeTensorsWriter out) {
            out.f32(prefix + "state1", Tensor.of(m, m.length));
            out.f32(prefix + "state2", Tensor.of(v, v.length));
        }

        @Override
        void load(String prefix, SafeTensors in) {
            OptimizerStates.copy(in, prefix + "state1", m);
            OptimizerStates.copy(in, prefix + "state2", v);
        }
    }

    /** The 8-bit path: codes per element, absmax per block; blocks are independent and run in parallel. */
    private static final class BlockwiseState extends State {
        private final byte[] code1;
        private final byte[] code2;
        private final float[] absmax1;
        private final float[] absmax2;

        BlockwiseState(int n) {
            int blocks = (n + BLOCK_SIZE - 1) / BLOCK_SIZE;
            code1 = new byte[n];
            code2 = new byte[n];
            absmax1 = new float[blocks];
            absmax2 = new float[blocks];
            // all-zero codes and absmax: every moment dequantizes to 0 before the first step
        }

        @Override
        void update(float[] p, float[] g, Coefficients k) {
            Parallel.forRange(absmax1.length, (firstBlock, endBlock) -> {
                float[] m = new float[BLOCK_SIZE];
                float[] v = new float[BLOCK_SIZE];
                for (int b = firstBlock; b < endBlock; b++) {
                    updateBlock(b, p, g, k, m, v);
                }
            });
        }

        private void updateBlock(int block, float[] p, float[] g, Coefficients k, float[] m, float[] v) {
            int from = block * BLOCK_SIZE;
            int n = Math.min(BLOCK_SIZE, p.length - from);
            float max1 = 0f;
            float max2 = 0f;
            for (int j = 0; j < n; j++) {
                int i = from + j;
                float gi = g[i];
                if (Float.isFinite(gi)) {
                    v[j] = k.secondMoment(QMAP2.value(code2[i] & 0xFF) * absmax2[block], gi);
                    m[j] = k.firstMoment(QMAP1.value(code1[i] & 0xFF) * absmax1[block], gi);
                } else {
                    m[j] = 0f;
                    v[j] = 0f;
                }
                max1 = Math.max(max1, Math.abs(m[j]));
                max2 = Math.max(max2, Math.abs(v[j]));
            }
            absmax1[block] = max1;
            absmax2[block] = max2;
            for (int j = 0; j < n; j++) {
                int i = from + j;
                if (Float.isFinite(g[i])) {
                    p[i] = k.updated(p[i], m[j], v[j]);
                }
                code1[i] = (byte) quantizeFirstMoment(m[j], max1);
                code2[i] = (byte) QMAP2.quantize(max2 > 0 ? v[j] / max2 : 0f);
            }
        }

        /** Quantizes m relative to its block's absmax, then nudges the code so it keeps m's sign bit. */
        private static int quantizeFirstMoment(float m, float absmax) {
            int code = QMAP1.quantize(absmax > 0 ? m / absmax : 0f);
            if (signBit(QMAP1.value(code)) != signBit(m)) {
                code += m > 0 ? 1 : -1;
            }
            return code;
        }

        private static boolean signBit(float x) {
            return Float.floatToRawIntBits(x) < 0;
        }

        @Override
        long bytes() {
            return code1.length + code2.length + 4L * (absmax1.length + absmax2.length);
        }

        @Override
        float[] firstMoment() {
            return dequantize(code1, absmax1, QMAP1);
        }

        @Override
        float[] secondMoment() {
            return dequantize(code2, absmax2, QMAP2);
        }

        @Override
        void save(String prefix, SafeTensorsWriter out) {
            out.u8(prefix + "state1", code1, code1.length);
            out.u8(prefix + "state2", code2, code2.length);
            out.f32(prefix + "absmax1", Tensor.of(absmax1, absmax1.length));
            out.f32(prefix + "absmax2", Tensor.of(absmax2, absmax2.length));
        }

        @Override
        void load(String prefix, SafeTensors in) {
            OptimizerStates.copy(in, prefix + "state1", code1);
            OptimizerStates.copy(in, prefix + "state2", code2);
            OptimizerStates.copy(in, prefix + "absmax1", absmax1);
            OptimizerStates.copy(in, prefix + "absmax2", absmax2);
        }

        private static float[] dequantize(byte[] codes, float[] absmax, DynamicQuantizationMap map) {
            float[] out = new float[codes.length];
            for (int i = 0; i < codes.length; i++) {
                out[i] = map.value(codes[i] & 0xFF) * absmax[i / BLOCK_SIZE];
            }
            return out;
        }
    }

    @Override
    public void step(double lr) {
        for (ParameterGroups.Group group : groups.groups()) {
            for (Parameter p : group.parameters()) {
                if (p.isTrainable()) {
                    State state = states.computeIfAbsent(p, AdamW8bit::newState);
                    state.step++;
                    state.update(p.value(), p.grad(),
                            Coefficients.of(settings, state.step, lr, group.weightDecay()));
                }
            }
        }
    }

    private static State newState(Parameter p) {
        return p.numel() < MIN_8BIT_SIZE ? new Fp32State(p.numel()) : new BlockwiseState(p.numel());
    }

    /** Whether {@code p}'s moments are stored in 8 bits (false for small tensors and before its first step). */
    public boolean isQuantized(Parameter p) {
        return states.get(p) instanceof BlockwiseState;
    }

    /** {@code p}'s first moment as the next step will read it (dequantized); null before its first step. */
    public float[] firstMoment(Parameter p) {
        State s = states.get(p);
        return s == null ? null : s.firstMoment();
    }

    /** {@code p}'s second moment as the next step will read it (dequantized); null before its first step. */
    public float[] secondMoment(Parameter p) {
        State s = states.get(p);
        return s == null ? null : s.secondMoment();
    }

    @Override
    public void saveState(SafeTensorsWriter out) {
        for (Parameter p : groups.all()) {
            State st = states.get(p);
            if (st != null) {
                out.i64(p.name() + ".step", new long[] {st.step}, 1);
                st.save(p.name() + ".", out);
            }
        }
    }

    @Override
    public void loadState(SafeTensors in) {
        states.clear();
        for (Parameter p : groups.all()) {
            if (p.isTrainable() && in.contains(p.name() + ".step")) {
                State st = newState(p);
                st.step = (int) in.loadLongs(p.name() + ".step")[0];
                st.load(p.name() + ".", in);
                states.put(p, st);
            }
        }
    }

    @Override
    public long stateBytes() {
        return states.values().stream().mapToLong(State::bytes).sum();
    }
}
