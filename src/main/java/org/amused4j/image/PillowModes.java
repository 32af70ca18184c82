package org.amused4j.image;

/** Pillow's 8-bit mode conversions and its nearest-neighbour resize (helpers of {@link DecodedImage}). */
final class PillowModes {
    private PillowModes() {
    }

    static ByteImage toRgb(ByteImage in) {
        int ch = in.channels();
        if (ch == 3) {
            return in;
        }
        ByteImage out = ByteImage.blank(in.width(), in.height(), 3);
        byte[] src = in.pixels();
        byte[] dst = out.pixels();
        int n = in.width() * in.height();
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) {
                // grey (1, 2 channels) is replicated; the last channel of LA/RGBA is alpha and dropped
                dst[p * 3 + c] = src[p * ch + (ch < 3 ? 0 : c)];
            }
        }
        return out;
    }

    /** L = (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16, Pillow's {@code convert("L")} since 2013 (spec 06 §8). */
    static ByteImage toGray(ByteImage in) {
        int ch = in.channels();
        if (ch == 1) {
            return in;
        }
        ByteImage out = ByteImage.blank(in.width(), in.height(), 1);
        byte[] src = in.pixels();
        byte[] dst = out.pixels();
        int n = in.width() * in.height();
        for (int p = 0; p < n; p++) {
            int o = p * ch;
            dst[p] = ch < 3 ? src[o]
                    : (byte) (((src[o] & 0xff) * 19595 + (src[o + 1] & 0xff) * 38470 + (src[o + 2] & 0xff) * 7471
                    + 0x8000) >>> 16);
        }
        return out;
    }

    /** RGBA -> "RGBa" (and LA -> "La"): colour = round(colour · alpha / 255) the way Pillow's MULDIV255 does. */
    static ByteImage premultiplyAlpha(ByteImage in) {
        return mapColour(in, (v, alpha) -> {
            int t = v * alpha + 128;
            return ((t >> 8) + t) >> 8;
        });
    }

    /** "RGBa" -> RGBA: colour = min(255, 255 · colour / alpha) (integer division); alpha 0 or 255: as is. */
    static ByteImage unpremultiplyAlpha(ByteImage in) {
        return mapColour(in, (v, alpha) -> alpha == 0 || alpha == 255 ? v : Math.min(255, 255 * v / alpha));
    }

    private interface ColourOp {
        int apply(int value, int alpha);
    }

    private static ByteImage mapColour(ByteImage in, ColourOp op) {
        int ch = in.channels();
        ByteImage out = ByteImage.blank(in.width(), in.height(), ch);
        byte[] src = in.pixels();
        byte[] dst = out.pixels();
        int n = in.width() * in.height();
        for (int p = 0; p < n; p++) {
            int o = p * ch;
            int alpha = src[o + ch - 1] & 0xff;
            for (int c = 0; c < ch - 1; c++) {
                dst[o + c] = (byte) op.apply(src[o + c] & 0xff, alpha);
            }
            dst[o + ch - 1] = (byte) alpha;
        }
        return out;
    }

    /** Pillow's NEAREST resize: source index floor((o + 0.5) · in / out). */
    static ByteImage resizeNearest(ByteImage in, int width, int height) {
        int ch = in.channels();
        ByteImage out = ByteImage.blank(width, height, ch);
        double sx = (double) in.width() / width;
        double sy = (double) in.height() / height;
        for (int y = 0; y < height; y++) {
            int srcY = Math.min(in.height() - 1, (int) ((y + 0.5) * sy));
            for (int x = 0; x < width; x++) {
                int srcX = Math.min(in.width() - 1, (int) ((x + 0.5) * sx));
                System.arraycopy(in.pixels(), (srcY * in.width() + srcX) * ch, out.pixels(), (y * width + x) * ch, ch);
            }
        }
        return out;
    }
}
