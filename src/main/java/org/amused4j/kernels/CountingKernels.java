package org.amused4j.kernels;

import org.amused4j.tensor.Weight;

/** Delegates every call and reports matrix-shaped work to {@link FlopCounter}. */
final class CountingKernels implements Kernels {
    private final Kernels delegate;

    CountingKernels(Kernels delegate) {
        this.delegate = delegate;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        FlopCounter.add(2L * m * n * k);
        delegate.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void linear(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta, float[] c, int cOff,
                       int ldc) {
        FlopCounter.add(2L * m * n * k);
        delegate.linear(m, n, k, a, aOff, lda, w, beta, c, cOff, ldc);
    }

    @Override
    public void multiplyByWeight(int m, int n, int k, float[] a, int aOff, int lda, Weight w, float beta,
                                 float[] c, int cOff, int ldc) {
        FlopCounter.add(2L * m * n * k);
        delegate.multiplyByWeight(m, n, k, a, aOff, lda, w, beta, c, cOff, ldc);
    }

    @Override
    public void softmax(float[] x, int off, int rows, int cols) {
        delegate.softmax(x, off, rows, cols);
    }

    @Override
    public void layerNorm(float[] x, float[] out, int rows, int cols, float[] weight, float[] bias, float eps) {
        delegate.layerNorm(x, out, rows, cols, weight, bias, eps);
    }

    @Override
    public void rmsNorm(float[] x, float[] out, int rows, int cols, float[] weight, float eps) {
        delegate.rmsNorm(x, out, rows, cols, weight, eps);
    }

    @Override
    public void groupNorm(float[] x, float[] out, int n, int channels, int hw, int groups, float[] weight,
                          float[] bias, float eps) {
        delegate.groupNorm(x, out, n, channels, hw, groups, weight, bias, eps);
    }

    @Override
    public void groupNormSilu(float[] x, float[] out, int n, int channels, int hw, int groups, float[] weight,
                              float[] bias, float eps) {
        delegate.groupNormSilu(x, out, n, channels, hw, groups, weight, bias, eps);
    }

    @Override
    public void gelu(float[] x, int off, int len) {
        delegate.gelu(x, off, len);
    }

    @Override
    public void geglu(float[] z, int rows, int inner, float[] out) {
        delegate.geglu(z, rows, inner, out);
    }

    @Override
    public void quickGelu(float[] x, int off, int len) {
        delegate.quickGelu(x, off, len);
    }

    @Override
    public void silu(float[] x, int off, int len) {
        delegate.silu(x, off, len);
    }

    @Override
    public void attention(float[] q, int qStride, float[] k, int kStride, float[] v, int vStride, float[] out,
                          int batch, int heads, int lq, int lk, int headDim, boolean causal) {
        FlopCounter.add(4L * batch * heads * lq * lk * headDim); // Q·Kᵀ and P·V, causal counted in full
        delegate.attention(q, qStride, k, kStride, v, vStride, out, batch, heads, lq, lk, headDim, causal);
    }

    @Override
    public void conv2d(float[] x, int n, int cin, int h, int w, float[] weight, int cout, int kh, int kw,
                       float[] bias, int stride, int padTop, int padBottom, int padLeft, int padRight, int groups,
                       float[] out) {
        long oh = (h + padTop + padBottom - kh) / stride + 1;
        long ow = (w + padLeft + padRight - kw) / stride + 1;
        FlopCounter.add(2L * n * cout * oh * ow * (cin / groups) * kh * kw);
        delegate.conv2d(x, n, cin, h, w, weight, cout, kh, kw, bias, stride, padTop, padBottom, padLeft, padRight,
                groups, out);
    }

    @Override
    public void convTranspose2x2(float[] x, int n, int cin, int h, int w, float[] weight, int cout, float[] bias,
                                 float[] out) {
        FlopCounter.add(2L * n * cin * cout * 4 * h * w);
        delegate.convTranspose2x2(x, n, cin, h, w, weight, cout, bias, out);
    }

    @Override
    public void upsampleNearest2x(float[] x, int planes, int h, int w, float[] out) {
        delegate.upsampleNearest2x(x, planes, h, w, out);
    }

    @Override
    public void embedding(int[] ids, float[] table, int vocab, int dim, float[] out) {
        delegate.embedding(ids, table, vocab, dim, out);
    }

    @Override
    public void embedding(int[] ids, Weight table, float[] out) {
        delegate.embedding(ids, table, out);
    }
}
