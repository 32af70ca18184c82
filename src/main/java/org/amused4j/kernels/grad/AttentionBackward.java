package org.amused4j.kernels.grad;

import org.amused4j.kernels.Kernels;
import org.amused4j.kernels.Parallel;

/**
 * Backward of multi-head scaled-dot-product attention. Per (image, head), with s = 1/√headDim:
 * <pre>
 *   P  = softmax(s·Q·Kᵀ)  (causal: query i sees keys j ≤ i)     recomputed, [lq, lk]
 *   dV += Pᵀ·dO
 *   dP = dO·Vᵀ
 *   dS = P ⊙ (dP − rowsum(dP ⊙ P))
 *   dQ += s·dS·K ,  dK += s·dSᵀ·Q
 * </pre>
 * The probabilities are recomputed instead of being kept from the forward: the forward kernel streams them
 * and never materializes all heads at once, and recomputing costs one extra Q·Kᵀ product while keeping
 * training memory at the size of the activations. Heads and images run in parallel; each writes its own
 * columns of dQ, dK, dV.
 */
final class AttentionBackward {
    private AttentionBackward() {
    }

    static void run(float[] q, int qStride, float[] k, int kStride, float[] v, int vStride,
                    int batch, int heads, int lq, int lk, int headDim, boolean causal,
                    float[] dOut, float[] dQ, float[] dK, float[] dV) {
        int width = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Kernels kernels = Kernels.get();
        Parallel.forEach(batch * heads, bh -> {
            int b = bh / heads;
            int h = bh % heads;
            int qOff = b * lq * qStride + h * headDim;
            int kOff = b * lk * kStride + h * headDim;
            int vOff = b * lk * vStride + h * headDim;
            int oOff = b * lq * width + h * headDim;
            float[] p = new float[lq * lk];
            kernels.gemm(false, true, lq, lk, headDim, scale, q, qOff, qStride, k, kOff, kStride, 0f, p, 0, lk);
            if (causal) {
                for (int i = 0; i < lq; i++) {
                    for (int j = i + 1; j < lk; j++) {
                        p[i * lk + j] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
            kernels.softmax(p, 0, lq, lk);
            if (dV != null) {
                kernels.gemm(true, false, lk, headDim, lq, 1f, p, 0, lk, dOut, oOff, width, 1f, dV, vOff, vStride);
            }
            if (dQ == null && dK == null) {
                return;
            }
            float[] dP = new float[lq * lk];
            kernels.gemm(false, true, lq, lk, headDim, 1f, dOut, oOff, width, v, vOff, vStride, 0f, dP, 0, lk);
            float[] dS = new float[lq * lk];
            for (int i = 0; i < lq; i++) {
                BackwardKernels.softmaxRow(p, i * lk, lk, dP, i * lk, dS, i * lk);
            }
            if (dQ != null) {
                kernels.gemm(false, false, lq, headDim, lk, scale, dS, 0, lk, k, kOff, kStride, 1f, dQ, qOff, qStride);
            }
            if (dK != null) {
                kernels.gemm(true, false, lk, headDim, lq, scale, dS, 0, lk, q, qOff, qStride, 1f, dK, kOff, kStride);
            }
        });
    }
}
