package org.amused4j.vq;

import org.amused4j.io.Weights;
import org.amused4j.kernels.Kernels;
import org.amused4j.nn.Embedding;
import org.amused4j.nn.Layouts;
import org.amused4j.nn.Module;
import org.amused4j.tensor.Tensor;

import java.util.function.BiConsumer;

/**
 * The codebook ({@code quantize.embedding.weight} [codes, dim]) and the two directions between latents and token
 * ids, spec 06 §4–5. Token ids are flat row-major int arrays: index (b·h + row)·w + col.
 */
public final class VectorQuantizer implements Module {
    private final Embedding codebook;
    private final int codes;
    private final int dim;

    public VectorQuantizer(Weights w, int codes, int dim) {
        this.codebook = new Embedding(w.prefixed("embedding"), codes, dim);
        this.codes = codes;
        this.dim = dim;
    }

    /**
     * The nearest codebook entry (Euclidean) for every latent pixel of {@code z} [B, dim, h, w], ties to the
     * lowest id; returns B·h·w ids.
     *
     * <p>Distances are evaluated like PyTorch's {@code cdist} for more than 25 rows (which diffusers' quantizer
     * always hits): {@code sqrt(max(-2·v·e + |v|² + |e|², 0))} in float32, summed in that order. The expansion
     * rounds differently from {@code |v − e|²}; computing it the same way keeps near-ties resolving as in the
     * reference (the sqrt and the clamp can themselves create ties, so they are kept too).
     */
    public int[] indices(Tensor z) {
        if (z.rank() != 4 || z.dim(1) != dim) {
            throw new IllegalArgumentException("the quantizer takes [B, " + dim + ", h, w] latents, got " + z);
        }
        int batch = z.dim(0);
        int pixels = z.dim(2) * z.dim(3);
        int[] ids = new int[batch * pixels];
        float[] rows = Layouts.toNhwc(z).data();
        float[] crossTerms = new float[pixels * codes];
        // Taken from the live table on every call: training updates the codebook in place.
        float[] codeNorms = new float[codes];
        float[] table = codebook.weight().data();
        for (int k = 0; k < codes; k++) {
            codeNorms[k] = squaredNorm(table, k * dim, dim);
        }
        for (int b = 0; b < batch; b++) {
            int first = b * pixels;
            Kernels.get().gemm(false, true, pixels, codes, dim, -2f, rows, first * dim, dim, codebook.weight().data(),
                    0, dim, 0f, crossTerms, 0, codes);
            for (int p = 0; p < pixels; p++) {
                ids[first + p] = nearest(crossTerms, p * codes, squaredNorm(rows, (first + p) * dim, dim), codeNorms);
            }
        }
        return ids;
    }

    private int nearest(float[] crossTerms, int off, float rowNorm, float[] codeNorms) {
        int best = 0;
        float bestDistance = Float.POSITIVE_INFINITY;
        for (int k = 0; k < codes; k++) {
            float squared = crossTerms[off + k] + rowNorm + codeNorms[k];
            float distance = (float) Math.sqrt(Math.max(squared, 0f));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = k;
            }
        }
        return best;
    }

    /** The codebook vectors of {@code ids} (flat [batch, h, w]) as NCHW latents [batch, dim, h, w]. */
    public Tensor lookup(int[] ids, int batch, int h, int w) {
        int pixels = h * w;
        if (ids.length != batch * pixels) {
            throw new IllegalArgumentException(ids.length + " token ids do not fill a [" + batch + ", " + h + ", "
                    + w + "] grid");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= codes) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is not a codebook entry (0.." + (codes - 1) + ")");
            }
        }
        return Layouts.toNchw(codebook.forward(ids).reshape(batch, h, w, dim));
    }

    /** The live codebook [codes, dim] ({@code quantize.embedding.weight}). */
    public Tensor codebook() {
        return codebook.weight();
    }

    public int codes() {
        return codes;
    }

    public int dim() {
        return dim;
    }

    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        codebook.parameters(prefix + "embedding.", sink);
    }

    private static float squaredNorm(float[] v, int off, int len) {
        float sum = 0;
        for (int i = 0; i < len; i++) {
            sum += v[off + i] * v[off + i];
        }
        return sum;
    }
}
