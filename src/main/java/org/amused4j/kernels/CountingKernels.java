package org.amused4j.kernels;

import org.amused4j.tensor.Weight;

/**
 * Delegates every call and, while {@link KernelTimes} is switched on, reports each call's wall time and (for the
 * matrix-shaped kernels) its floating-point operations to it.
 */
final class CountingKernels implements Kernels {
    private final Kernels delegate;

    CountingKernels(Kernels delegate) {
        this.delegate = delegate;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        long t0 = KernelTimes.begin();
        delegate.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        KernelTimes.end(t0, "gemm", m, n, k);
    }

    @Override
    public void linear(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta, float[] c, int cOff,
                       int ldc) {
        long t0 = KernelTimes.begin();
        delegate.linear(m, n, k, a, aOff, lda, w, beta, c, cOff, ldc);
        KernelTimes.end(t0, "linear", m, n, k);
    }

    /** Timed as one product of all the weights' rows together (e.g. "linear 512×3072×1024" for Q, K and V). */
    @Override
    public void linears(int m, int k, float[] a, int lda, Weight[] ws, float[][] outs) {
        long t0 = KernelTimes.begin();
        delegate.linears(m, k, a, lda, ws, outs);
        int n = 0;
        for (Weight w : ws) {
            n += w.shape()[0];
        }
        KernelTimes.end(t0, "linear", m, n, k);
    }

    @Override
    public void multiplyByWeight(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta,
                                 float[] c, int cOff, int ldc) {
        long t0 = KernelTimes.begin();
        delegate.multiplyByWeight(m, n, k, a, aOff, lda, w, beta, c, cOff, ldc);
        KernelTimes.end(t0, "multiplyByWeight", m, n, k);
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        long t0 = KernelTimes.begin();
        delegate.add(x, y, n);
        KernelTimes.end(t0, "add");
    }

    @Override
    public void softmax(float[] x, int off, int rows, int cols) {
        long t0 = KernelTimes.begin();
        delegate.softmax(x, off, rows, cols);
        KernelTimes.end(t0, "softmax");
    }

    @Override
    public void layerNorm(float[] x, float[] out, int rows, int cols, float[] weight, float[] bias, float eps) {
        long t0 = KernelTimes.begin();
        delegate.layerNorm(x, out, rows, cols, weight, bias, eps);
        KernelTimes.end(t0, "layerNorm");
    }

    @Override
    public void rmsNorm(float[] x, float[] out, int rows, int cols, float[] weight, float eps) {
        long t0 = KernelTimes.begin();
        delegate.rmsNorm(x, out, rows, cols, weight, eps);
        KernelTimes.end(t0, "rmsNorm");
    }

    @Override
    public void modulatedNorm(float[] x, float[] addend, float[] out, int rows, int cols, boolean centred,
                              float[] weight, float[] bias, float eps, float[] gain, float[] shift,
                              int rowsPerImage) {
        long t0 = KernelTimes.begin();
        delegate.modulatedNorm(x, addend, out, rows, cols, centred, weight, bias, eps, gain, shift, rowsPerImage);
        KernelTimes.end(t0, "modulatedNorm");
    }

    @Override
    public void groupNorm(float[] x, float[] out, int n, int channels, int hw, int groups, float[] weight,
                          float[] bias, float eps) {
        long t0 = KernelTimes.begin();
        delegate.groupNorm(x, out, n, channels, hw, groups, weight, bias, eps);
        KernelTimes.end(t0, "groupNorm");
    }

    @Override
    public void groupNormSilu(float[] x, float[] out, int n, int channels, int hw, int groups, float[] weight,
                              float[] bias, float eps) {
        long t0 = KernelTimes.begin();
        delegate.groupNormSilu(x, out, n, channels, hw, groups, weight, bias, eps);
        KernelTimes.end(t0, "groupNormSilu");
    }

    @Override
    public void gelu(float[] x, int off, int len) {
        long t0 = KernelTimes.begin();
        delegate.gelu(x, off, len);
        KernelTimes.end(t0, "gelu");
    }

    @Override
    public void geglu(float[] z, int rows, int inner, float[] out) {
        long t0 = KernelTimes.begin();
        delegate.geglu(z, rows, inner, out);
        KernelTimes.end(t0, "geglu");
    }

    @Override
    public void gegluLinear(int m, int inner, int k, float[] a, int lda, Weight w, float[] out) {
        long t0 = KernelTimes.begin();
        delegate.gegluLinear(m, inner, k, a, lda, w, out);
        KernelTimes.end(t0, "linear+geglu", m, 2 * inner, k);
    }

    @Override
    public void quickGelu(float[] x, int off, int len) {
        long t0 = KernelTimes.begin();
        delegate.quickGelu(x, off, len);
        KernelTimes.end(t0, "quickGelu");
    }

    @Override
    public void silu(float[] x, int off, int len) {
        long t0 = KernelTimes.begin();
        delegate.silu(x, off, len);
        KernelTimes.end(t0, "silu");
    }

    @Override
    public void attention(float[] q, int qStride, float[] k, int kStride, float[] v, int vStride, float[] out,
                          int batch, int heads, int lq, int lk, int headDim, boolean causal) {
        long flops = 4L * batch * heads * lq * lk * headDim; // Q·Kᵀ and P·V, causal counted in full
        long t0 = KernelTimes.begin();
        delegate.attention(q, qStride, k, kStride, v, vStride, out, batch, heads, lq, lk, headDim, causal);
        if (t0 != 0) { // the key is built only while timing
            KernelTimes.end(t0, "attention " + lq + "×" + lk, flops);
        }
    }

    @Override
    public void conv2d(float[] x, int n, int cin, int h, int w, float[] weight, int cout, int kh, int kw,
                       float[] bias, int stride, int padTop, int padBottom, int padLeft, int padRight, int groups,
                       float[] out) {
        long oh = (h + padTop + padBottom - kh) / stride + 1;
        long ow = (w + padLeft + padRight - kw) / stride + 1;
        long flops = 2L * n * cout * oh * ow * (cin / groups) * kh * kw;
        long t0 = KernelTimes.begin();
        delegate.conv2d(x, n, cin, h, w, weight, cout, kh, kw, bias, stride, padTop, padBottom, padLeft, padRight,
                groups, out);
        if (t0 != 0) { // the key is built only while timing
            KernelTimes.end(t0, "conv2d " + kh + "×" + kw + (groups > 1 ? " grouped" : ""), flops);
        }
    }

    @Override
    public void convTranspose2x2(float[] x, int n, int cin, int h, int w, float[] weight, int cout, float[] bias,
                                 float[] out) {
        long flops = 2L * n * cin * cout * 4 * h * w;
        long t0 = KernelTimes.begin();
        delegate.convTranspose2x2(x, n, cin, h, w, weight, cout, bias, out);
        KernelTimes.end(t0, "convTranspose2x2", flops);
    }

    @Override
    public void upsampleNearest2x(float[] x, int planes, int h, int w, float[] out) {
        long t0 = KernelTimes.begin();
        delegate.upsampleNearest2x(x, planes, h, w, out);
        KernelTimes.end(t0, "upsampleNearest2x");
    }

    @Override
    public void embedding(int[] ids, float[] table, int vocab, int dim, float[] out) {
        long t0 = KernelTimes.begin();
        delegate.embedding(ids, table, vocab, dim, out);
        KernelTimes.end(t0, "embedding");
    }

    @Override
    public void embedding(int[] ids, Weight table, float[] out) {
        long t0 = KernelTimes.begin();
        delegate.embedding(ids, table, out);
        KernelTimes.end(t0, "embedding");
    }
}
