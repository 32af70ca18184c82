package org.amused4j.train;

import org.amused4j.tensor.Tensor;

import java.util.Arrays;

/**
 * One named model parameter as the optimizers see it: its values (shared with the model's tensor, so
 * updates land in the model) and, if it is trained, a gradient buffer of the same size.
 *
 * <p>A frozen parameter has no gradient; optimizers skip it, like torch skips parameters whose
 * {@code grad} is None (LoRA hands the optimizer the whole model, of which only the adapters train).
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;

    private Parameter(String name, int[] shape, float[] value, float[] grad) {
        this.name = name;
        this.shape = shape.clone();
        this.value = value;
        this.grad = grad;
    }

    /** A trained parameter backed by {@code value}'s storage, with a zero gradient. */
    public static Parameter trainable(String name, Tensor value) {
        return new Parameter(name, value.shape(), value.data(), new float[value.size()]);
    }

    /** A parameter that is not trained (no gradient). */
    public static Parameter frozen(String name, Tensor value) {
        return new Parameter(name, value.shape(), value.data(), null);
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int numel() {
        return value.length;
    }

    /** The live values; optimizers update them in place. */
    public float[] value() {
        return value;
    }

    /** The gradient buffer, or null for a frozen parameter. */
    public float[] grad() {
        return grad;
    }

    public boolean isTrainable() {
        return grad != null;
    }

    public void zeroGrad() {
        if (grad != null) {
            Arrays.fill(grad, 0f);
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
