package org.amused4j.image;

import org.amused4j.io.AtomicFiles;
import org.amused4j.tensor.AmusedException;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reading images (PNG, JPEG, whatever javax.imageio decodes) the way Pillow opens them, and writing PNGs with
 * generation parameters as text chunks.
 *
 * <p>Pixel values come from the raster, never from {@code BufferedImage.getRGB} (which colour-converts grey images).
 * 16-bit colour images keep the high byte of each sample, as Pillow does when it opens them as "RGB"/"RGBA";
 * 16-bit greyscale is rejected (Pillow opens it as a 32-bit integer image whose conversion to RGB clips at 255,
 * which is never what a user wants).
 */
public final class ImageFiles {
    private static final String PNG_FORMAT = "javax_imageio_png_1.0";

    private ImageFiles() {
    }

    public static DecodedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new AmusedException(file + ": image file not found");
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new AmusedException(file + ": cannot decode image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new AmusedException(file + ": not an image format this program can read (use PNG or JPEG)");
        }
        try {
            return decode(image);
        } catch (AmusedException e) {
            throw new AmusedException(file + ": " + e.getMessage(), e);
        }
    }

    static DecodedImage decode(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        if (cm instanceof IndexColorModel palette) {
            ByteImage out = ByteImage.blank(w, h, 3);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int index = raster.getSample(x, y, 0);
                    out.set(x, y, 0, palette.getRed(index));
                    out.set(x, y, 1, palette.getGreen(index));
                    out.set(x, y, 2, palette.getBlue(index));
                }
            }
            return new DecodedImage(out, true);
        }
        int bands = raster.getNumBands();
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        boolean rgb = cm.getColorSpace().getType() == ColorSpace.TYPE_RGB;
        if (!(gray && bands <= 2) && !(rgb && (bands == 3 || bands == 4))) {
            throw new AmusedException("unsupported colour layout (" + bands + " channels, colour space type "
                    + cm.getColorSpace().getType() + "); convert the image to RGB or greyscale");
        }
        int bits = cm.getComponentSize(0);
        if (gray && bits > 8) {
            throw new AmusedException(bits + "-bit greyscale images are not supported; save the image with 8 bits"
                    + " per channel");
        }
        if (raster.getTransferType() == DataBuffer.TYPE_FLOAT || raster.getTransferType() == DataBuffer.TYPE_DOUBLE
                || bits > 16) {
            throw new AmusedException(bits + "-bit samples are not supported; save the image with 8 bits per channel");
        }
        ByteImage out = ByteImage.blank(w, h, bands);
        int max = (1 << bits) - 1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < bands; c++) {
                    int v = raster.getSample(x, y, c);
                    // 16 bits: Pillow keeps the high byte; 1/2/4-bit grey is scaled to 0..255 as Pillow's "L;2"/"L;4"
                    out.set(x, y, c, bits == 8 ? v : bits == 16 ? v >> 8 : v * 255 / max);
                }
            }
        }
        return new DecodedImage(out, false);
    }

    /**
     * Writes an RGB or grey image as PNG with one text chunk per entry of {@code text} (tEXt when Latin-1 can hold
     * it, else UTF-8 iTXt), creating missing folders. Written through {@link AtomicFiles}, so no half-written image
     * is ever visible under {@code file}.
     */
    public static void writePng(Path file, ByteImage image, Map<String, String> text) {
        BufferedImage buffered = toBuffered(image);
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot create the output folder (" + e.getMessage() + ")", e);
        }
        AtomicFiles.write(file, "PNG", out -> {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                writer.setOutput(ios);
                IIOMetadata metadata = writer.getDefaultImageMetadata(
                        ImageTypeSpecifier.createFromRenderedImage(buffered), null);
                metadata.mergeTree(PNG_FORMAT, textTree(text));
                writer.write(new IIOImage(buffered, null, metadata));
            } finally {
                writer.dispose();
            }
        });
    }

    /** The tEXt/iTXt entries of a PNG file, in file order. */
    public static Map<String, String> readPngText(Path file) {
        Map<String, String> text = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new AmusedException(file + ": not a readable image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                IIOMetadata metadata = reader.getImageMetadata(0);
                if (!PNG_FORMAT.equals(metadata.getNativeMetadataFormatName())) {
                    throw new AmusedException(file + ": not a PNG file");
                }
                Node root = metadata.getAsTree(PNG_FORMAT);
                for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                    boolean latin1 = n.getNodeName().equals("tEXt");
                    if (latin1 || n.getNodeName().equals("iTXt")) {
                        for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                            NamedNodeMap a = e.getAttributes();
                            text.put(a.getNamedItem("keyword").getNodeValue(),
                                    a.getNamedItem(latin1 ? "value" : "text").getNodeValue());
                        }
                    }
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot read PNG metadata (" + e.getMessage() + ")", e);
        }
        return text;
    }

    private static IIOMetadataNode textTree(Map<String, String> text) throws IIOInvalidTreeException {
        IIOMetadataNode root = new IIOMetadataNode(PNG_FORMAT);
        IIOMetadataNode tEXt = new IIOMetadataNode("tEXt");
        IIOMetadataNode iTXt = new IIOMetadataNode("iTXt");
        for (Map.Entry<String, String> e : text.entrySet()) {
            String keyword = e.getKey();
            if (keyword.isEmpty() || keyword.length() > 79 || !isLatin1(keyword) || !keyword.strip().equals(keyword)) {
                throw new AmusedException("PNG text keyword '" + keyword + "' must be 1-79 Latin-1 characters"
                        + " without leading or trailing spaces");
            }
            if (isLatin1(e.getValue())) {
                IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                entry.setAttribute("keyword", keyword);
                entry.setAttribute("value", e.getValue());
                tEXt.appendChild(entry);
            } else {
                IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                entry.setAttribute("keyword", keyword);
                entry.setAttribute("compressionFlag", "FALSE");
                entry.setAttribute("compressionMethod", "0");
                entry.setAttribute("languageTag", "");
                entry.setAttribute("translatedKeyword", "");
                entry.setAttribute("text", e.getValue());
                iTXt.appendChild(entry);
            }
        }
        if (tEXt.hasChildNodes()) {
            root.appendChild(tEXt);
        }
        if (iTXt.hasChildNodes()) {
            root.appendChild(iTXt);
        }
        return root;
    }

    private static boolean isLatin1(String s) {
        return StandardCharsets.ISO_8859_1.newEncoder().canEncode(s);
    }

    private static BufferedImage toBuffered(ByteImage image) {
        int type = switch (image.channels()) {
            case 1 -> BufferedImage.TYPE_BYTE_GRAY;
            case 3 -> BufferedImage.TYPE_3BYTE_BGR;
            default -> throw new IllegalArgumentException("PNG output takes grey or RGB images, got "
                    + image.channels() + " channels");
        };
        BufferedImage out = new BufferedImage(image.width(), image.height(), type);
        var raster = out.getRaster();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                for (int c = 0; c < image.channels(); c++) {
                    raster.setSample(x, y, c, image.get(x, y, c));
                }
            }
        }
        return out;
    }
}
