package org.amused4j.train;

import org.amused4j.io.SafeTensors;
import org.amused4j.io.SafeTensorsWriter;
import org.amused4j.tensor.Tensor;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * {@code torch.optim.AdamW} (amsgrad off, not maximizing) with torch 1.13's CPU arithmetic: every scalar
 * coefficient is computed in double and rounded to float32 where it meets a tensor, every tensor
 * operation rounds to float32, and the moment updates use the fused multiply-add of torch's vectorised
 * kernels ({@code add_(g, alpha)} is {@code fma(g, alpha, m)}, {@code addcmul_} contracts its last
 * multiply-add). Per parameter, in torch's order (spec 09 §5.1):
 * <pre>
 * p = p * (1 - lr*wd);  m = m*b1 + (1-b1)*g;  v = v*b2 + (1-b2)*g*g
 * denom = sqrt(v) / sqrt(1 - b2^s) + eps;  p = p + (-(lr / (1 - b1^s)) * m) / denom
 * </pre>
 */
public final class AdamW implements Optimizer {
    /** A parameter's moments and step count, created at its first step. */
    public static final class State {
        private final float[] expAvg;
        private final float[] expAvgSq;
        private int step;

        private State(int n) {
            expAvg = new float[n];
            expAvgSq = new float[n];
        }

        public float[] expAvg() {
            return expAvg;
        }

        public float[] expAvgSq() {
            return expAvgSq;
        }

        public int step() {
            return step;
        }
    }

    private final ParameterGroups groups;
    private final AdamSettings settings;
    private final Map<Parameter, State> states = new IdentityHashMap<>();

    public AdamW(ParameterGroups groups, AdamSettings settings) {
        this.groups = groups;
        this.settings = settings;
    }

    @Override
    public void step(double lr) {
        for (ParameterGroups.Group group : groups.groups()) {
            for (Parameter p : group.parameters()) {
                if (p.isTrainable()) {
                    update(p, states.computeIfAbsent(p, q -> new State(q.numel())), lr, group.weightDecay());
                }
            }
        }
    }

    private void update(Parameter p, State state, double lr, double weightDecay) {
        int s = ++state.step;
        double beta1 = settings.beta1();
        double beta2 = settings.beta2();
        float decay = (float) (1 - lr * weightDecay);
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        float bias2Sqrt = (float) Math.sqrt(1 - StrictMath.pow(beta2, s));
        float negStepSize = (float) -(lr / (1 - StrictMath.pow(beta1, s)));
        float eps = (float) settings.eps();
        float[] w = p.value();
        float[] g = p.grad();
        float[] m = state.expAvg;
        float[] v = state.expAvgSq;
        ElementChunks.run(w.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = g[i];
                float mi = Math.fma(gi, oneMinusB1, m[i] * b1);
                float vi = Math.fma(oneMinusB2 * gi, gi, v[i] * b2);
                m[i] = mi;
                v[i] = vi;
                float denom = (float) Math.sqrt(vi) / bias2Sqrt + eps;
                w[i] = w[i] * decay + (negStepSize * mi) / denom;
            }
        });
    }

    /** The state of {@code p}, or null before its first step. */
    public State state(Parameter p) {
        return states.get(p);
    }

    @Override
    public void saveState(SafeTensorsWriter out) {
        for (Parameter p : groups.all()) {
            State st = states.get(p);
            if (st != null) {
                out.i64(p.name() + ".step", new long[] {st.step}, 1);
                out.f32(p.name() + ".exp_avg", Tensor.of(st.expAvg, p.shape()));
                out.f32(p.name() + ".exp_avg_sq", Tensor.of(st.expAvgSq, p.shape()));
            }
        }
    }

    @Override
    public void loadState(SafeTensors in) {
        states.clear();
        for (Parameter p : groups.all()) {
            if (p.isTrainable() && in.contains(p.name() + ".step")) {
                State st = new State(p.numel());
                st.step = (int) in.loadLongs(p.name() + ".step")[0];
                OptimizerStates.copy(in, p.name() + ".exp_avg", st.expAvg);
                OptimizerStates.copy(in, p.name() + ".exp_avg_sq", st.expAvgSq);
                states.put(p, st);
            }
        }
    }

    @Override
    public long stateBytes() {
        return states.values().stream().mapToLong(st -> 8L * st.expAvg.length).sum();
    }
}
