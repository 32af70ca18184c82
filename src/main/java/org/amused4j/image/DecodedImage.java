package org.amused4j.image;

/**
 * An image as its file stores it, in Pillow's terms: the channel count gives the mode (1 = "L", 2 = "LA",
 * 3 = "RGB", 4 = "RGBA"); {@code paletted} marks images Pillow opens as "P" or "1" (palette or bilevel), already
 * expanded to their colours here. The mode matters where Pillow's behaviour depends on it: resizing (palette images
 * use nearest neighbour, images with alpha are resampled premultiplied) and conversion.
 */
public record DecodedImage(ByteImage pixels, boolean paletted) {

    public int width() {
        return pixels.width();
    }

    public int height() {
        return pixels.height();
    }

    /**
     * Pillow's {@code Image.resize(size, LANCZOS)}: palette/bilevel images silently fall back to nearest neighbour,
     * images with alpha are resampled premultiplied ("RGBa"/"La") and converted back.
     */
    public DecodedImage resize(int width, int height) {
        if (width == width() && height == height()) {
            return this;
        }
        if (paletted) {
            return new DecodedImage(PillowModes.resizeNearest(pixels, width, height), true);
        }
        if (pixels.hasAlpha()) {
            ByteImage premultiplied = PillowModes.premultiplyAlpha(pixels);
            return new DecodedImage(PillowModes.unpremultiplyAlpha(
                    LanczosResampler.resize(premultiplied, width, height)), false);
        }
        return new DecodedImage(LanczosResampler.resize(pixels, width, height), false);
    }

    /** Pillow's {@code convert("RGB")}: grey replicated, alpha dropped. */
    public ByteImage toRgb() {
        return PillowModes.toRgb(pixels);
    }

    /** Pillow's {@code convert("L")}: ITU-R 601-2 luma in 16-bit fixed point, alpha dropped. */
    public ByteImage toGray() {
        return PillowModes.toGray(pixels);
    }
}
