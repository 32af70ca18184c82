package org.amused4j.train.data;

import org.amused4j.image.ByteImage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The EXIF orientation of a JPEG file and Pillow's {@code ImageOps.exif_transpose} for it (spec 09 §2 step 1).
 * javax.imageio ignores EXIF, so the orientation tag (0x0112 in IFD0 of the APP1 "Exif" segment) is read here with
 * a minimal parser; anything it does not understand counts as orientation 1 (no change). Other formats (PNG's eXIf
 * chunk, WebP) are not inspected: such files are used as stored.
 */
public final class ExifOrientation {
    private static final int ORIENTATION_TAG = 0x0112;

    private ExifOrientation() {
    }

    /** The orientation 1..8 of {@code file}, 1 when it is not a JPEG or has no (valid) orientation tag. */
    public static int read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parseJpeg(in);
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /** Walks the JPEG markers up to the start of scan, looking for an APP1 Exif segment. */
    static int parseJpeg(InputStream in) throws IOException {
        if (in.read() != 0xFF || in.read() != 0xD8) {
            return 1;
        }
        while (true) {
            int b = in.read();
            while (b == 0xFF) {
                b = in.read();
            }
            if (b < 0 || b == 0xDA || b == 0xD9) {
                return 1;
            }
            int length = (in.read() << 8) | in.read();
            if (length < 2) {
                return 1;
            }
            byte[] segment = in.readNBytes(length - 2);
            if (b == 0xE1 && segment.length > 14 && segment[0] == 'E' && segment[1] == 'x' && segment[2] == 'i'
                    && segment[3] == 'f' && segment[4] == 0 && segment[5] == 0) {
                return parseTiff(ByteBuffer.wrap(segment, 6, segment.length - 6).slice());
            }
        }
    }

    private static int parseTiff(ByteBuffer tiff) {
        tiff.order(tiff.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = tiff.getInt(4);
        int entries = tiff.getShort(ifd) & 0xFFFF;
        for (int i = 0; i < entries; i++) {
            int entry = ifd + 2 + 12 * i;
            if ((tiff.getShort(entry) & 0xFFFF) == ORIENTATION_TAG) {
                int value = tiff.getShort(entry + 8) & 0xFFFF;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    /**
     * {@code image} as it should be displayed for {@code orientation}: 2 mirror, 3 rotate 180, 4 flip, 5 transpose,
     * 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise (Pillow's exif_transpose methods).
     */
    public static ByteImage apply(ByteImage image, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        boolean swapped = orientation >= 5;
        ByteImage out = ByteImage.blank(swapped ? h : w, swapped ? w : h, image.channels());
        for (int y = 0; y < out.height(); y++) {
            for (int x = 0; x < out.width(); x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }
                }
                for (int c = 0; c < image.channels(); c++) {
                    out.set(x, y, c, image.get(sx, sy, c));
                }
            }
        }
        return out;
    }
}
