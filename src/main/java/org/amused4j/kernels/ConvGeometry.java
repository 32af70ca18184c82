package org.amused4j.kernels;

/** Shape arithmetic of one conv2d call (per image), shared by its implementations. */
record ConvGeometry(int cin, int h, int w, int cout, int kh, int kw, int stride,
                    int padTop, int padBottom, int padLeft, int padRight, int groups) {

    int oh() {
        return (h + padTop + padBottom - kh) / stride + 1;
    }

    int ow() {
        return (w + padLeft + padRight - kw) / stride + 1;
    }

    int cinPerGroup() {
        return cin / groups;
    }

    int coutPerGroup() {
        return cout / groups;
    }

    /** A 1×1, stride-1, unpadded convolution is a plain matrix product over the pixels. */
    boolean pointwise() {
        return kh == 1 && kw == 1 && stride == 1 && padTop == 0 && padBottom == 0 && padLeft == 0
                && padRight == 0;
    }

    /** First output column whose input column ox·stride + kx − padLeft is ≥ 0. */
    int firstValidColumn(int kx) {
        int need = padLeft - kx;
        return need <= 0 ? 0 : Math.min(ow(), (need + stride - 1) / stride);
    }

    /** One past the last output column whose input column is < w. */
    int endValidColumn(int kx) {
        int last = w - 1 + padLeft - kx;
        return last < 0 ? 0 : Math.min(ow(), last / stride + 1);
    }
}
