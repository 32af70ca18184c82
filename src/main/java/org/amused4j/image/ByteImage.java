package org.amused4j.image;

/**
 * An 8-bit image: {@code height} rows of {@code width} pixels of {@code channels} interleaved bytes, the way Pillow
 * stores its "L" (1 channel), "LA" (2), "RGB" (3) and "RGBA" (4) modes.
 */
public record ByteImage(int width, int height, int channels, byte[] pixels) {

    public ByteImage {
        if (width < 1 || height < 1 || channels < 1 || channels > 4) {
            throw new IllegalArgumentException("bad image geometry " + width + "x" + height + "x" + channels);
        }
        if (pixels.length != width * height * channels) {
            throw new IllegalArgumentException(width + "x" + height + "x" + channels + " image needs "
                    + width * height * channels + " bytes, got " + pixels.length);
        }
    }

    public static ByteImage blank(int width, int height, int channels) {
        return new ByteImage(width, height, channels, new byte[width * height * channels]);
    }

    /** Channel {@code c} of pixel (x, y) as 0..255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * channels + c] & 0xff;
    }

    public void set(int x, int y, int c, int value) {
        pixels[(y * width + x) * channels + c] = (byte) value;
    }

    public boolean hasAlpha() {
        return channels == 2 || channels == 4;
    }
}
