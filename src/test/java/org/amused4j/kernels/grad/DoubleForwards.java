package org.amused4j.kernels.grad;

import org.amused4j.kernels.Erf;

/**
 * Tiny double-precision forwards of the ops, written straight from their definitions (spec 05, PyTorch
 * docs) in the layouts of {@link org.amused4j.kernels.Kernels}: the references the gradient checks
 * differentiate numerically.
 */
final class DoubleForwards {
    private DoubleForwards() {
    }

    /** y [rows, out] = x [rows, in] · Wᵀ + b; b may be null. */
    static double[] linear(double[] x, double[] weight, double[] bias, int rows, int in, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = bias != null ? bias[o] : 0;
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * weight[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    static double[] matmul(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    c[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        return c;
    }

    static double[] softmax(double[] x, int rows, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[r * cols + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x[r * cols + j] - max);
            }
            for (int j = 0; j < cols; j++) {
                y[r * cols + j] = Math.exp(x[r * cols + j] - max) / sum;
            }
        }
        return y;
    }

    /** LayerNorm (bias used only when weight is given, as in the model) or, with {@code rms}, RMSNorm. */
    static double[] norm(double[] x, int rows, int cols, double[] weight, double[] bias, double eps, boolean rms) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            if (!rms) {
                for (int j = 0; j < cols; j++) {
                    mean += x[r * cols + j];
                }
                mean /= cols;
            }
            double var = 0;
            for (int j = 0; j < cols; j++) {
                var += (x[r * cols + j] - mean) * (x[r * cols + j] - mean);
            }
            double inv = 1 / Math.sqrt(var / cols + eps);
            for (int j = 0; j < cols; j++) {
                double v = (x[r * cols + j] - mean) * inv;
                v = weight != null ? v * weight[j] : v;
                y[r * cols + j] = bias != null ? v + bias[j] : v;
            }
        }
        return y;
    }

    static double[] groupNorm(double[] x, int n, int channels, int hw, int groups, double[] weight,
                              double[] bias, double eps) {
        double[] y = new double[x.length];
        int per = channels / groups;
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                int base = (b * channels + g * per) * hw;
                int len = per * hw;
                double mean = 0;
                for (int i = 0; i < len; i++) {
                    mean += x[base + i];
                }
                mean /= len;
                double var = 0;
                for (int i = 0; i < len; i++) {
                    var += (x[base + i] - mean) * (x[base + i] - mean);
                }
                double inv = 1 / Math.sqrt(var / len + eps);
                for (int i = 0; i < len; i++) {
                    int ch = g * per + i / hw;
                    double v = (x[base + i] - mean) * inv;
                    y[base + i] = v * (weight != null ? weight[ch] : 1) + (bias != null ? bias[ch] : 0);
                }
            }
        }
        return y;
    }

    /** Global response norm on [batch, pixels, channels] (spec 05: G = ‖x‖ over pixels, N = G/(mean G + eps)). */
    static double[] globalResponseNorm(double[] x, int batch, int pixels, int channels, double[] gamma,
                                       double[] beta, double eps) {
        double[] y = new double[x.length];
        for (int b = 0; b < batch; b++) {
            double[] g = new double[channels];
            double mean = 0;
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < pixels; p++) {
                    double v = x[(b * pixels + p) * channels + c];
                    g[c] += v * v;
                }
                g[c] = Math.sqrt(g[c]);
                mean += g[c] / channels;
            }
            for (int p = 0; p < pixels; p++) {
                for (int c = 0; c < channels; c++) {
                    int i = (b * pixels + p) * channels + c;
                    y[i] = gamma[c] * (x[i] * g[c] / (mean + eps)) + beta[c] + x[i];
                }
            }
        }
        return y;
    }

    static double gelu(double x) {
        return 0.5 * x * Erf.erfc(-x / Math.sqrt(2));
    }

    static double quickGelu(double x) {
        return x / (1 + Math.exp(-1.702 * x));
    }

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** Attention with strided q/k/v rows (see Kernels#attention); out dense [batch, lq, heads·headDim]. */
    static double[] attention(double[] q, int qStride, double[] k, int kStride, double[] v, int vStride,
                              int batch, int heads, int lq, int lk, int headDim, boolean causal) {
        int width = heads * headDim;
        double[] out = new double[batch * lq * width];
        double scale = 1 / Math.sqrt(headDim);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < lq; i++) {
                    int visible = causal ? Math.min(i + 1, lk) : lk;
                    double[] s = new double[visible];
                    for (int j = 0; j < visible; j++) {
                        for (int d = 0; d < headDim; d++) {
                            s[j] += q[(b * lq + i) * qStride + h * headDim + d] * k[(b * lk + j) * kStride + h * headDim + d];
                        }
                        s[j] *= scale;
                    }
                    double[] p = softmax(s, 1, visible);
                    for (int d = 0; d < headDim; d++) {
                        double acc = 0;
                        for (int j = 0; j < visible; j++) {
                            acc += p[j] * v[(b * lk + j) * vStride + h * headDim + d];
                        }
                        out[(b * lq + i) * width + h * headDim + d] = acc;
                    }
                }
            }
        }
        return out;
    }

    /** Cross-correlation, weight [cout, cin/groups, kh, kw], zero padding (top, bottom, left, right). */
    static double[] conv2d(double[] x, int n, int cin, int h, int w, double[] weight, int cout, int kh, int kw,
                           double[] bias, int stride, int pt, int pb, int pl, int pr, int groups) {
        int oh = (h + pt + pb - kh) / stride + 1;
        int ow = (w + pl + pr - kw) / stride + 1;
        int cinG = cin / groups;
        int coutG = cout / groups;
        double[] out = new double[n * cout * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias != null ? bias[co] : 0;
                        for (int ci = 0; ci < cinG; ci++) {
                            for (int ky = 0; ky < kh; ky++) {
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * stride + ky - pt;
                                    int ix = ox * stride + kx - pl;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        s += x[((b * cin + co / coutG * cinG + ci) * h + iy) * w + ix]
                                                * weight[((co * cinG + ci) * kh + ky) * kw + kx];
                                    }
                                }
                            }
                        }
                        out[((b * cout + co) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return out;
    }

    /** ConvTranspose2d(kernel 2, stride 2): weight [cin, cout, 2, 2]. */
    static double[] convTranspose2x2(double[] x, int n, int cin, int h, int w, double[] weight, int cout,
                                     double[] bias) {
        double[] out = new double[n * cout * 4 * h * w];
        for (int b = 0; b < n; b++) {
            for (int co = 0; co < cout; co++) {
                for (int oy = 0; oy < 2 * h; oy++) {
                    for (int ox = 0; ox < 2 * w; ox++) {
                        double s = bias != null ? bias[co] : 0;
                        for (int ci = 0; ci < cin; ci++) {
                            s += x[((b * cin + ci) * h + oy / 2) * w + ox / 2]
                                    * weight[((ci * cout + co) * 2 + oy % 2) * 2 + ox % 2];
                        }
                        out[((b * cout + co) * 2 * h + oy) * 2 * w + ox] = s;
                    }
                }
            }
        }
        return out;
    }
}
