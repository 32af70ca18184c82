package org.amused4j.train.data;

import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.image.LanczosResampler;
import org.amused4j.sampling.SeededRandomSource;
import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingDataTest {
    @TempDir
    Path tmp;

    private Path png(String name, int w, int h) {
        ByteImage img = ByteImage.blank(w, h, 3);
        for (int i = 0; i < img.pixels().length; i++) {
            img.pixels()[i] = (byte) (i * 7);
        }
        Path file = tmp.resolve(name);
        ImageFiles.writePng(file, img, Map.of());
        return file;
    }

    @Test
    void metadataJsonlGivesCaptionsAndUprightSizes() throws IOException {
        png("a.png", 40, 30);
        png("b.png", 20, 50);
        Files.writeString(tmp.resolve(TrainingData.METADATA), """
                {"file_name": "a.png", "text": "a wide one"}

                {"file_name": "b.png", "text": "a tall one"}
                """);
        TrainingData data = TrainingData.folder(tmp, MissingDataPolicy.FAIL, m -> { });
        assertThat(data.items()).extracting(i -> i.example().caption()).containsExactly("a wide one", "a tall one");
        assertThat(data.items().get(1).width()).isEqualTo(20);
        assertThat(data.items().get(1).height()).isEqualTo(50);
    }

    @Test
    void missingCaptionsAndUnreadableImagesAreReportedByNameThenSkippedOrFatal() throws IOException {
        png("good.png", 32, 32);
        Files.writeString(tmp.resolve("good.txt"), "fine");
        png("nocaption.png", 32, 32);
        Files.writeString(tmp.resolve("broken.png"), "not an image");
        Files.writeString(tmp.resolve("broken.txt"), "caption of a broken file");

        List<String> reports = new ArrayList<>();
        TrainingData data = TrainingData.folder(tmp, MissingDataPolicy.SKIP, reports::add);
        assertThat(data.size()).isEqualTo(1);
        assertThat(reports).hasSize(2).anyMatch(r -> r.contains("nocaption.png")).anyMatch(r -> r.contains("broken.png"));

        assertThatThrownBy(() -> TrainingData.folder(tmp, MissingDataPolicy.FAIL, m -> { }))
                .isInstanceOf(AmusedException.class).hasMessageContaining("2 training file(s)");
    }

    @Test
    void singleImageNeedsAPrompt() {
        Path file = png("style.png", 32, 32);
        assertThat(TrainingData.singleImage(file, "in [V] style").isSingleImage()).isTrue();
        assertThatThrownBy(() -> TrainingData.singleImage(file, " ")).hasMessageContaining("needs a prompt");
    }

    @Test
    void resizeKeepsTheAspectWithTheShorterSideAtTheResolutionAndCropsStayInside() {
        assertThat(TrainingImages.resizedSize(640, 480, 256)).containsExactly(341, 256);
        assertThat(TrainingImages.resizedSize(480, 640, 256)).containsExactly(256, 341);
        SeededRandomSource random = new SeededRandomSource(1);
        boolean sawOffset = false;
        for (int i = 0; i < 200; i++) {
            TrainingImages.Crop c = TrainingImages.randomCrop(640, 480, 256, random);
            assertThat(c.top()).isZero();
            assertThat(c.left()).isBetween(0, 341 - 256);
            sawOffset |= c.left() == 341 - 256;
        }
        assertThat(sawOffset).as("the last offset is reachable").isTrue();
        assertThat(TrainingImages.microConds(640, 480, new TrainingImages.Crop(3, 9)))
                .containsExactly(640f, 480f, 3f, 9f, 6f);
    }

    @Test
    void cropTensorIsTheCroppedWindowOfTheResizedImageInZeroOne() {
        ByteImage img = ByteImage.blank(8, 4, 3);
        for (int x = 0; x < 8; x++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 4; y++) {
                    img.set(x, y, c, x * 30);
                }
            }
        }
        Tensor t = TrainingImages.cropTensor(img, 4, new TrainingImages.Crop(0, 3));
        ByteImage resized = LanczosResampler.resizeBilinear(img, 8, 4); // already the right size: unchanged
        assertThat(t.shape()).containsExactly(1, 3, 4, 4);
        assertThat(t.get(0, 0, 0, 0)).isEqualTo(resized.get(3, 0, 0) / 255f);
        assertThat(t.get(0, 2, 3, 3)).isEqualTo(resized.get(6, 3, 2) / 255f);
    }

    @Test
    void bilinearShrinkAveragesNeighbours() {
        ByteImage img = ByteImage.blank(4, 1, 1);
        img.set(0, 0, 0, 0);
        img.set(1, 0, 0, 100);
        img.set(2, 0, 0, 200);
        img.set(3, 0, 0, 200);
        ByteImage half = LanczosResampler.resizeBilinear(img, 2, 1);
        // Pillow's triangle filter at scale 2 weights the 4 nearest pixels 1/8, 3/8, 3/8, 1/8 (edge-renormalised)
        assertThat(half.get(0, 0, 0)).isEqualTo(Math.round((0 * 3 + 100 * 3 + 200 * 1) / 7f));
        assertThat(half.get(1, 0, 0)).isEqualTo(Math.round((100 * 1 + 200 * 3 + 200 * 3) / 7f));
    }

    @Test
    void exifOrientationSixRotatesClockwise() throws IOException {
        BufferedImage src = new BufferedImage(6, 4, BufferedImage.TYPE_3BYTE_BGR);
        src.setRGB(0, 0, 0xFFFFFF); // top-left white
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(src, "jpg", jpeg);
        Path file = tmp.resolve("rotated.jpg");
        Files.write(file, withOrientation(jpeg.toByteArray(), 6));

        assertThat(ExifOrientation.read(file)).isEqualTo(6);
        ByteImage upright = TrainingImages.loadRgb(file);
        assertThat(upright.width()).isEqualTo(4);
        assertThat(upright.height()).isEqualTo(6);
        assertThat(upright.get(3, 0, 0)).as("top-left moved to the top-right").isGreaterThan(200);
        assertThat(ExifOrientation.read(png("plain.png", 2, 2))).isEqualTo(1);
    }

    /** Inserts a big-endian APP1 Exif segment with one IFD0 entry (orientation) right after the SOI marker. */
    private static byte[] withOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] exif = tiff.array();
        int length = 2 + 6 + exif.length;
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
        out.put(jpeg, 0, 2);
        out.put((byte) 0xFF).put((byte) 0xE1).putShort((short) length);
        out.put(new byte[] {'E', 'x', 'i', 'f', 0, 0}).put(exif);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }
}
