package org.amused4j.image;

/**
 * Pillow's LANCZOS resize of 8-bit images, bit-exact (spec 06 §8; Pillow's {@code Resample.c}): separable passes
 * (horizontal first, each only if that side changes) with Lanczos-3 weights widened by the scale when shrinking,
 * normalised in double, quantised to 22-bit fixed point, accumulated in int with a rounding half and clipped to 0..255.
 * The intermediate image of the horizontal pass is 8-bit, as in Pillow. Channels are resampled independently.
 * {@link #resizeBilinear} is the same machinery with Pillow's triangle filter (support 1): what torchvision's
 * antialiased {@code Resize} does to PIL images in the training data pipeline (spec 09 §2).
 */
public final class LanczosResampler {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** A separable filter: its support at scale 1 and its kernel. */
    private enum Filter {
        LANCZOS(3.0) {
            @Override
            double weight(double x) {
                return -support <= x && x < support ? sinc(x) * sinc(x / support) : 0.0;
            }
        },
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                double a = Math.abs(x);
                return a < 1.0 ? 1.0 - a : 0.0;
            }
        };

        final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);
    }

    private LanczosResampler() {
    }

    public static ByteImage resize(ByteImage in, int width, int height) {
        return resize(in, width, height, Filter.LANCZOS);
    }

    /** Pillow's {@code Image.resize(size, BILINEAR)} (antialiased when shrinking, like every Pillow filter). */
    public static ByteImage resizeBilinear(ByteImage in, int width, int height) {
        return resize(in, width, height, Filter.BILINEAR);
    }

    private static ByteImage resize(ByteImage in, int width, int height, Filter filter) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("cannot resize to " + width + "x" + height);
        }
        ByteImage out = in;
        if (width != in.width()) {
            out = horizontal(out, width, filter);
        }
        if (height != in.height()) {
            out = vertical(out, height, filter);
        }
        return out;
    }

    /** Fixed-point weights of one axis: output o takes {@code count[o]} inputs from {@code first[o]} on. */
    private record Coefficients(int[] first, int[] count, int[][] weights) {
        static Coefficients of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            double inverseFilterScale = 1.0 / filterScale;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[][] weights = new int[outSize][];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(inSize, (int) (center + support + 0.5));
                int n = hi - lo;
                double[] w = new double[n];
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    w[k] = filter.weight((k + lo - center + 0.5) * inverseFilterScale);
                    sum += w[k];
                }
                int[] fixed = new int[n];
                for (int k = 0; k < n; k++) {
                    double normalised = sum != 0.0 ? w[k] / sum : w[k];
                    double scaled = normalised * (1 << PRECISION_BITS);
                    fixed[k] = (int) (normalised < 0 ? scaled - 0.5 : scaled + 0.5);
                }
                first[o] = lo;
                count[o] = n;
                weights[o] = fixed;
            }
            return new Coefficients(first, count, weights);
        }
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        double px = x * Math.PI;
        return StrictMath.sin(px) / px;
    }

    private static ByteImage horizontal(ByteImage in, int width, Filter filter) {
        Coefficients k = Coefficients.of(in.width(), width, filter);
        int ch = in.channels();
        ByteImage out = ByteImage.blank(width, in.height(), ch);
        byte[] src = in.pixels();
        byte[] dst = out.pixels();
        for (int y = 0; y < in.height(); y++) {
            int row = y * in.width();
            for (int x = 0; x < width; x++) {
                int[] w = k.weights[x];
                for (int c = 0; c < ch; c++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < k.count[x]; i++) {
                        acc += (src[(row + k.first[x] + i) * ch + c] & 0xff) * w[i];
                    }
                    dst[(y * width + x) * ch + c] = clip8(acc);
                }
            }
        }
        return out;
    }

    private static ByteImage vertical(ByteImage in, int height, Filter filter) {
        Coefficients k = Coefficients.of(in.height(), height, filter);
        int ch = in.channels();
        int rowBytes = in.width() * ch;
        ByteImage out = ByteImage.blank(in.width(), height, ch);
        byte[] src = in.pixels();
        byte[] dst = out.pixels();
        for (int y = 0; y < height; y++) {
            int[] w = k.weights[y];
            for (int i = 0; i < rowBytes; i++) {
                int acc = 1 << (PRECISION_BITS - 1);
                for (int j = 0; j < k.count[y]; j++) {
                    acc += (src[(k.first[y] + j) * rowBytes + i] & 0xff) * w[j];
                }
                dst[y * rowBytes + i] = clip8(acc);
            }
        }
        return out;
    }

    private static byte clip8(int acc) {
        if (acc <= 0) {
            return 0;
        }
        if (acc >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        return (byte) (acc >> PRECISION_BITS);
    }
}
