package org.amused4j.image;

import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageFilesTest {

    private static ByteImage gradient(int w, int h) {
        ByteImage img = ByteImage.blank(w, h, 3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, 0, x * 255 / (w - 1));
                img.set(x, y, 1, y * 255 / (h - 1));
                img.set(x, y, 2, (x * 7 + y * 13) & 0xff);
            }
        }
        return img;
    }

    @Test
    void pngRoundTripsPixelsAndGenerationParameters(@TempDir Path dir) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("prompt", "a red fox in the snow");
        params.put("negative_prompt", "café, blurry");
        params.put("seed", "42");
        params.put("steps", "12");
        params.put("guidance", "10.0");
        params.put("model", "amused/amused-256");
        params.put("emoji", "🦊 狐");
        ByteImage image = gradient(17, 9);
        Path file = dir.resolve("sub/out.png");
        ImageFiles.writePng(file, image, params);

        DecodedImage back = ImageFiles.read(file);
        assertThat(back.paletted()).isFalse();
        assertThat(back.pixels().channels()).isEqualTo(3);
        assertThat(back.pixels().pixels()).containsExactly(image.pixels());
        assertThat(ImageFiles.readPngText(file)).containsExactlyInAnyOrderEntriesOf(params);
    }

    @Test
    void writingReplacesAtomicallyAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.png");
        ImageFiles.writePng(file, gradient(4, 4), Map.of("prompt", "first"));
        ImageFiles.writePng(file, gradient(8, 2), Map.of("prompt", "second"));
        assertThat(ImageFiles.readPngText(file)).containsEntry("prompt", "second");
        assertThat(ImageFiles.read(file).width()).isEqualTo(8);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void badKeywordIsRejectedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.png");
        assertThatThrownBy(() -> ImageFiles.writePng(file, gradient(4, 4), Map.of(" padded", "x")))
                .isInstanceOf(AmusedException.class).hasMessageContaining("keyword");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void rgbaDropsAlphaAndGreyIsReplicated(@TempDir Path dir) throws Exception {
        BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x00102030);
        rgba.setRGB(1, 0, 0x80FFEEDD);
        Path rgbaFile = dir.resolve("rgba.png");
        ImageIO.write(rgba, "png", rgbaFile.toFile());
        DecodedImage decoded = ImageFiles.read(rgbaFile);
        assertThat(decoded.pixels().channels()).isEqualTo(4);
        assertThat(decoded.toRgb().pixels()).containsExactly(0x10, 0x20, 0x30, 0xFF, 0xEE, 0xDD);

        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 7);
        gray.getRaster().setSample(1, 0, 0, 200);
        Path grayFile = dir.resolve("gray.png");
        ImageIO.write(gray, "png", grayFile.toFile());
        ByteImage rgb = ImageFiles.read(grayFile).toRgb();
        assertThat(rgb.pixels()).containsExactly(7, 7, 7, 200, 200, 200);
        Tensor t = PipelineImages.toTensor(rgb);
        assertThat(t.shape()).containsExactly(1, 3, 1, 2);
        assertThat(t.get(0, 1, 0, 1)).isEqualTo(200 / 255f);
    }

    @Test
    void sixteenBitColourKeepsTheHighByteAndSixteenBitGreyIsRejected() {
        ComponentColorModel rgbModel = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false,
                false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = rgbModel.createCompatibleWritableRaster(1, 1);
        raster.setPixel(0, 0, new int[] {0xABCD, 0x00FF, 0xFF00});
        ByteImage decoded = ImageFiles.decode(new BufferedImage(rgbModel, raster, false, null)).pixels();
        assertThat(decoded.pixels()).containsExactly(0xAB, 0x00, 0xFF);

        BufferedImage gray16 = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        assertThatThrownBy(() -> ImageFiles.decode(gray16)).isInstanceOf(AmusedException.class)
                .hasMessageContaining("16-bit greyscale");
    }

    @Test
    void unreadableFilesFailWithTheirPath(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        assertThatThrownBy(() -> ImageFiles.read(text)).isInstanceOf(AmusedException.class)
                .hasMessageContaining(text.toString());
        assertThatThrownBy(() -> ImageFiles.read(dir.resolve("missing.png"))).isInstanceOf(AmusedException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void outputRoundsHalfToEvenAfterClamping() {
        assertThat(PipelineImages.toByte(-0.2f)).isZero();
        assertThat(PipelineImages.toByte(Float.NaN)).isZero();
        assertThat(PipelineImages.toByte(1.7f)).isEqualTo(255);
        int halves = 0;
        for (int k = 0; k < 255; k++) {
            float x = (k + 0.5f) / 255f;
            if (x * 255f == k + 0.5f) {
                assertThat(PipelineImages.toByte(x)).as("(%d + 0.5) rounds to even", k)
                        .isEqualTo(k % 2 == 0 ? k : k + 1);
                halves++;
            }
        }
        assertThat(halves).as("exact .5 products exist").isPositive();
    }

    @Test
    void inputImagesAreCutDownToTheVqBlockSize() {
        ByteImage img = gradient(37, 23);
        Tensor t = PipelineImages.inputTensor(new DecodedImage(img, false), 16);
        assertThat(t.shape()).containsExactly(1, 3, 16, 32);
        assertThat(PipelineImages.inputTensor(new DecodedImage(gradient(32, 16), false), 16).data())
                .as("already a multiple: no resampling")
                .containsExactly(PipelineImages.toTensor(gradient(32, 16)).data());
        assertThatThrownBy(() -> PipelineImages.inputTensor(new DecodedImage(gradient(8, 40), false), 16))
                .isInstanceOf(AmusedException.class);
    }

    @Test
    void maskThresholdIsByte128AndWhiteMeansRepaint() {
        ByteImage mask = ByteImage.blank(4, 1, 1);
        mask.set(0, 0, 0, 0);
        mask.set(1, 0, 0, 127);
        mask.set(2, 0, 0, 128);
        mask.set(3, 0, 0, 255);
        assertThat(PipelineImages.tokenMask(new DecodedImage(mask, false), 4, 1))
                .containsExactly(false, false, true, true);
    }
}
