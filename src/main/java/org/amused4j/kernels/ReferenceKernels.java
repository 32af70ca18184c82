package org.amused4j.kernels;

/**
 * Plain scalar implementations, written for obviousness, not speed: the yardstick for every faster
 * backend. Sums are accumulated in double so the reference is more accurate than what it checks.
 */
public final class ReferenceKernels implements Kernels {

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += (double) av * bv;
                }
                int ci = cOff + i * ldc + j;
                float old = beta == 0 ? 0 : beta * c[ci];
                c[ci] = (float) (alpha * sum + old);
            }
        }
    }

    @Override
    public void softmax(float[] x, int off, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int base = off + r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[base + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x[base + j] - max);
            }
            for (int j = 0; j < cols; j++) {
                x[base + j] = (float) (Math.exp(x[base + j] - max) / sum);
            }
        }
    }

    @Override
    public void layerNorm(float[] x, float[] out, int rows, int cols, float[] weight, float[] bias, float eps) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double mean = 0;
            for (int j = 0; j < cols; j++) {
                mean += x[base + j];
            }
            mean /= cols;
            double var = 0;
            for (int j = 0; j < cols; j++) {
                double d = x[base + j] - mean;
                var += d * d;
            }
            var /= cols;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int j = 0; j < cols; j++) {
                double y = (x[base + j] - mean) * inv;
                if (weight != null) {
                    y *= weight[j];
                }
                if (bias != null) {
                    y += bias[j];
                }
                out[base + j] = (float) y;
            }
        }
    }

    @Override
    public void rmsNorm(float[] x, float[] out, int rows, int cols, float[] weight, float eps) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double ms = 0;
            for (int j = 0; j < cols; j++) {
                ms += (double) x[base + j] * x[base + j];
            }
            ms /= cols;
            double inv = 1.0 / Math.sqrt(ms + eps);
            for (int j = 0; j < cols; j++) {
                double y = x[base + j] * inv;
                out[base + j] = (float) (weight != null ? y * weight[j] : y);
            }
        }
    }

    @Override
    public void groupNorm(float[] x, float[] out, int n, int channels, int hw, int groups,
                          float[] weight, float[] bias, float eps) {
        int perGroup = channels / groups;
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                int base = (b * channels + g * perGroup) * hw;
                int len = perGroup * hw;
                double mean = 0;
                for (int i = 0; i < len; i++) {
                    mean += x[base + i];
                }
                mean /= len;
                double var = 0;
                for (int i = 0; i < len; i++) {
                    double d = x[base + i] - mean;
                    var += d * d;
                }
                var /= len;
                double inv = 1.0 / Math.sqrt(var + eps);
                for (int c = 0; c < perGroup; c++) {
                    int ch = g * perGroup + c;
                    double wv = weight != null ? weight[ch] : 1.0;
                    double bv = bias != null ? bias[ch] : 0.0;
                    for (int i = 0; i < hw; i++) {
                        int idx = base + c * hw + i;
                        out[idx] = (float) ((x[idx] - mean) * inv * wv + bv);
                    }
                }
            }
        }
    }

    @Override
    public void gelu(float[] x, int off, int len) {
        for (int i = off; i < off + len; i++) {
            x[i] = Erf.gelu(x[i]);
        }
    }

    @Override
    public void quickGelu(float[] x, int off, int len) {
        for (int i = off; i < off + len; i++) {
            x[i] = (float) (x[i] / (1.0 + Math.exp(-1.702 * x[i])));
        }
    }

    @Override
    public void silu(float[] x, int off, int len) {
        for (int i = off; i < off + len; i++) {
            x[i] = (float) (x[i] / (1.0 + Math.exp(-(double) x[i])));
        }
    }

    @Override
    public void attention(float[] q, int qStride, float[] k, int kStride, float[] v, int vStride, float[] out,
                          int batch, int heads, int lq, int lk, int headDim, boolean causal) {
        int width = heads * headDim;
        double scale = 1.0 / Math.sqrt(headDim);
        double[] scores = new double[lk];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < lq; i++) {
                    int qi = (b * lq + i) * qStride + h * headDim;
                    int visible = causal ? Math.min(i + 1, lk) : lk;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < visible; j++) {
                        int kj = (b * lk + j) * kStride + h * headDim;
                        double s = 0;
                        for (int d = 0; d < headDim; d++) {
                            s += (double) q[qi + d] * k[kj + d];
                        }
                        scores[j] = s * scale;
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < visible; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    int oi = (b * lq + i) * width + h * headDim;
                    for (int d = 0; d < headDim; d++) {
                        double acc = 0;
                        for (int j = 0; j < visible; j++) {
                            acc += scores[j] * v[(b * lk + j) * vStride + h * headDim + d];
                        }
                        out[oi + d] = (float) (acc / sum);
                    }
                }
            }
        }
    }

    @Override
    public void conv2d(float[] x, int n, int cin, int h, int w, float[] weight, int cout, int kh, int kw,
                       float[] bias, int stride, int padTop, int padBottom, int padLeft, int padRight, int groups,
                       float[] out) {
        int oh = (h + padTop + padBottom - kh) / stride + 1;
        int ow = (w + padLeft + padRight - kw) / stride + 1;
        int cinG = cin / groups;
        int coutG = cout / groups;
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                int g = co / coutG;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = bias != null ? bias[co] : 0;
                        for (int ci = 0; ci < cinG; ci++) {
                            int inC = g * cinG + ci;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * stride + ky - padTop;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * stride + kx - padLeft;
                                    if (ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    sum += (double) x[((b * cin + inC) * h + iy) * w + ix]
                                            * weight[((co * cinG + ci) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        out[((b * cout + co) * oh + oy) * ow + ox] = (float) sum;
                    }
                }
            }
        }
    }

    @Override
    public void convTranspose2x2(float[] x, int n, int cin, int h, int w, float[] weight, int cout, float[] bias,
                                 float[] out) {
        int oh = 2 * h;
        int ow = 2 * w;
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int iy = oy / 2;
                        int ix = ox / 2;
                        int ky = oy % 2;
                        int kx = ox % 2;
                        double sum = bias != null ? bias[co] : 0;
                        for (int ci = 0; ci < cin; ci++) {
                            sum += (double) x[((b * cin + ci) * h + iy) * w + ix]
                                    * weight[((ci * cout + co) * 2 + ky) * 2 + kx];
                        }
                        out[((b * cout + co) * oh + oy) * ow + ox] = (float) sum;
                    }
                }
            }
        }
    }

    @Override
    public void upsampleNearest2x(float[] x, int planes, int h, int w, float[] out) {
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < 2 * h; oy++) {
                for (int ox = 0; ox < 2 * w; ox++) {
                    out[(p * 2 * h + oy) * 2 * w + ox] = x[(p * h + oy / 2) * w + ox / 2];
                }
            }
        }
    }

    @Override
    public void embedding(int[] ids, float[] table, int vocab, int dim, float[] out) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IndexOutOfBoundsException("token id " + ids[i] + " outside vocabulary of " + vocab);
            }
            System.arraycopy(table, ids[i] * dim, out, i * dim, dim);
        }
    }
}
