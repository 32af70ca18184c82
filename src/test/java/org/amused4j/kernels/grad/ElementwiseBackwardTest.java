package org.amused4j.kernels.grad;

import org.amused4j.kernels.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.DoubleUnaryOperator;

import static org.amused4j.kernels.grad.GradCheck.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Gradient checks of softmax, the activations, GEGLU, the modulation, embedding and upsampling. */
class ElementwiseBackwardTest {

    @ParameterizedTest(name = "rows={0} cols={1}")
    @CsvSource({"1,1", "3,5", "7,13", "13,7"})
    void softmaxGivenItsOutput(int rows, int cols) {
        float[][] in = {random(1, rows * cols, 4f, 0f)};
        GradCheck.check("softmax", in, new int[]{0},
                d -> DoubleForwards.softmax(d[0], rows, cols),
                (x, dY, g) -> {
                    float[] y = x[0].clone();
                    Kernels.get().softmax(y, 0, rows, cols);
                    BackwardKernels.softmax(y, rows, cols, dY, g[0]);
                });
    }

    /** Inputs spread over [-6, 6] so the tails of the activations are covered; only [off, off+len) is touched. */
    @ParameterizedTest(name = "len={0}")
    @ValueSource(ints = {1, 3, 7, 13, 1000})
    void activations(int len) {
        int off = 2;
        float[][] in = {random(len, off + len + 3, 6f, 0f)};
        checkActivation("gelu", in, off, len, DoubleForwards::gelu, Kernels.get()::gelu, BackwardKernels::gelu);
        checkActivation("quickGelu", in, off, len, DoubleForwards::quickGelu, Kernels.get()::quickGelu,
                BackwardKernels::quickGelu);
        checkActivation("silu", in, off, len, DoubleForwards::silu, Kernels.get()::silu, BackwardKernels::silu);
    }

    @FunctionalInterface
    private interface InPlaceForward {
        void apply(float[] x, int off, int len);
    }

    @FunctionalInterface
    private interface ActivationBackward {
        void apply(float[] x, int off, int len, float[] dY, float[] dX);
    }

    private static void checkActivation(String name, float[][] in, int off, int len, DoubleUnaryOperator f,
                                        InPlaceForward forward, ActivationBackward backward) {
        GradCheck.Forward reference = d -> {
            double[] y = d[0].clone();
            for (int i = off; i < off + len; i++) {
                y[i] = f.applyAsDouble(d[0][i]);
            }
            return y;
        };
        float[] y = in[0].clone();
        forward.apply(y, off, len);
        GradCheck.assertSameForward(name, reference.apply(GradCheck.toDouble(in)), y);
        // Outside [off, off+len) the op is the identity, so dX there must be dY: add it as the op would not.
        GradCheck.check(name, in, new int[]{0}, reference, (x, dY, g) -> {
            backward.apply(x[0], off, len, dY, g[0]);
            for (int i = 0; i < x[0].length; i++) {
                if (i < off || i >= off + len) {
                    g[0][i] += dY[i];
                }
            }
        });
    }

    /** inner 600 spans two of the vector code's 512-element blocks. */
    @ParameterizedTest(name = "rows={0} inner={1}")
    @CsvSource({"1,1", "3,5", "7,13", "2,600"})
    void geglu(int rows, int inner) {
        float[][] in = {random(2, rows * 2 * inner, 3f, 0f)};
        GradCheck.check("geglu", in, new int[]{0}, d -> {
            double[] h = new double[rows * inner];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < inner; j++) {
                    h[r * inner + j] = d[0][r * 2 * inner + j] * DoubleForwards.gelu(d[0][r * 2 * inner + inner + j]);
                }
            }
            return h;
        }, (x, dH, g) -> BackwardKernels.geglu(x[0], rows, inner, dH, g[0]));
    }

    @ParameterizedTest(name = "batch={0} tokens={1} dim={2}")
    @CsvSource({"1,1,1", "2,5,3", "3,7,13"})
    void modulation(int batch, int tokens, int dim) {
        float[][] in = {random(3, batch * tokens * dim), random(4, batch * dim), random(5, batch * dim)};
        GradCheck.check("modulateTokens", in, new int[]{0, 1, 2}, d -> {
            double[] y = new double[d[0].length];
            for (int i = 0; i < y.length; i++) {
                int bj = i / (tokens * dim) * dim + i % dim;
                y[i] = d[0][i] * (1 + d[1][bj]) + d[2][bj];
            }
            return y;
        }, (x, dY, g) -> BackwardKernels.modulateTokens(x[0], batch, tokens, dim, x[1], dY, g[0], g[1], g[2]));
        // The same numbers read as an NCHW map [batch, dim, plane] with plane = tokens.
        GradCheck.check("modulateChannels", in, new int[]{0, 1, 2}, d -> {
            double[] y = new double[d[0].length];
            for (int i = 0; i < y.length; i++) {
                int bc = i / tokens;
                y[i] = d[0][i] * (1 + d[1][bc]) + d[2][bc];
            }
            return y;
        }, (x, dY, g) -> BackwardKernels.modulateChannels(x[0], batch, dim, tokens, x[1], dY, g[0], g[1], g[2]));
    }

    @ParameterizedTest(name = "planes={0} h={1} w={2}")
    @CsvSource({"1,1,1", "3,5,7", "2,13,3"})
    void upsampleNearest2x(int planes, int h, int w) {
        float[][] in = {random(6, planes * h * w)};
        GradCheck.check("upsampleNearest2x", in, new int[]{0}, d -> {
            double[] y = new double[planes * 4 * h * w];
            for (int p = 0; p < planes; p++) {
                for (int oy = 0; oy < 2 * h; oy++) {
                    for (int ox = 0; ox < 2 * w; ox++) {
                        y[(p * 2 * h + oy) * 2 * w + ox] = d[0][(p * h + oy / 2) * w + ox / 2];
                    }
                }
            }
            return y;
        }, (x, dY, g) -> BackwardKernels.upsampleNearest2x(planes, h, w, dY, g[0]));
    }

    @Test
    void embeddingScatterAddsRepeatedIds() {
        int vocab = 7;
        int dim = 5;
        int[] ids = {3, 0, 3, 6, 3, 1};
        float[][] in = {random(7, vocab * dim)};
        GradCheck.check("embedding", in, new int[]{0}, d -> {
            double[] y = new double[ids.length * dim];
            for (int i = 0; i < ids.length; i++) {
                System.arraycopy(d[0], ids[i] * dim, y, i * dim, dim);
            }
            return y;
        }, (x, dY, g) -> BackwardKernels.embedding(ids, vocab, dim, dY, g[0]));
    }

    @Test
    void embeddingRejectsIdsOutsideTheVocabulary() {
        float[] dTable = new float[3 * 2];
        assertThatThrownBy(() -> BackwardKernels.embedding(new int[]{1, 3}, 3, 2, new float[4], dTable))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("3");
        assertThat(dTable).containsOnly(0f);
    }
}
