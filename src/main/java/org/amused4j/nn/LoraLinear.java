package org.amused4j.nn;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * A {@link Linear} with a PEFT LoRA adapter: y = x·Wᵀ + b + scaling·(x·Aᵀ)·Bᵀ with A = {@code lora_A.weight}
 * [rank, in], B = {@code lora_B.weight} [out, rank] and scaling = alpha / rank (spec 09 §6). The base keeps its
 * own parameter names; whether it is trained is up to the optimizer's parameter list (LoRA freezes it).
 */
public final class LoraLinear implements Layer {
    private final Linear base;
    private final Linear down;
    private final Linear up;
    private final float scaling;

    /** @param adapter the adapter's weights: {@code lora_A.weight} and {@code lora_B.weight} */
    public LoraLinear(Linear base, Weights adapter, int rank, double alpha) {
        this.base = base;
        this.down = new Linear(adapter.prefixed("lora_A"), base.inFeatures(), rank, false);
        this.up = new Linear(adapter.prefixed("lora_B"), rank, base.outFeatures(), false);
        this.scaling = (float) (alpha / rank);
    }

    public Linear base() {
        return base;
    }

    /**
     * Folds the adapter into the base weight, W += scaling·B·A (float32), and returns the base layer, which from
     * then on computes the adapted output without the two extra products per call. The base weight is widened
     * to float32 if it was half precision; the result differs from the unmerged sum only by float rounding.
     */
    public Linear mergeIntoBase() {
        Tensor w = base.weight();
        int rank = down.outFeatures();
        Kernels.get().gemm(false, false, base.outFeatures(), base.inFeatures(), rank, scaling,
                up.weight().data(), 0, rank, down.weight().data(), 0, base.inFeatures(), 1f, w.data(), 0,
                base.inFeatures());
        return base;
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, Tape.NONE);
    }

    /** The base output plus the scaled adapter output, added as PEFT does: {@code base(x) + up(down(x))·scaling}. */
    @Override
    public Tensor forward(Tensor x, Tape tape) {
        return TensorOps.addScaled(base.forward(x, tape), up.forward(down.forward(x, tape), tape), scaling, tape);
    }

    /** The base's parameters under {@code prefix}, the adapter's under {@code prefix + "lora_A."/"lora_B."}. */
    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        base.parameters(prefix, sink);
        adapterParameters(prefix, sink);
    }

    /**
     * Only the adapter's parameters, as {@link #parameters} names them: what LoRA trains, enumerated without
     * touching the base (whose enumeration would widen a half-precision weight to float32).
     */
    public void adapterParameters(String prefix, BiConsumer<String, Tensor> sink) {
        down.parameters(prefix + "lora_A.", sink);
        up.parameters(prefix + "lora_B.", sink);
    }
}
