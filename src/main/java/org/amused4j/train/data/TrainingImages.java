package org.amused4j.train.data;

import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.image.LanczosResampler;
import org.amused4j.image.PipelineImages;
import org.amused4j.sampling.RandomSource;
import org.amused4j.tensor.Tensor;

import java.nio.file.Path;

/** Spec 09 §2's per-image processing: EXIF orientation, RGB, shorter side to the resolution, random crop. */
public final class TrainingImages {
    /** The aesthetic score micro-condition the script fixes for every training image. */
    public static final float AESTHETIC_SCORE = 6f;

    private TrainingImages() {
    }

    /** Where a crop of {@code size} x {@code size} starts in the resized image. */
    public record Crop(int top, int left) {
    }

    /** The file decoded, turned upright per its EXIF orientation and converted to RGB (steps 1-2). */
    public static ByteImage loadRgb(Path file) {
        ByteImage rgb = ImageFiles.read(file).toRgb();
        return ExifOrientation.apply(rgb, ExifOrientation.read(file));
    }

    /**
     * torchvision {@code Resize(size)}: the shorter side becomes {@code size}, the longer one
     * {@code int(size · long / short)}; returned as {width, height}.
     */
    public static int[] resizedSize(int width, int height, int size) {
        return width <= height ? new int[] {size, (int) ((long) size * height / width)}
                : new int[] {(int) ((long) size * width / height), size};
    }

    /** {@code RandomCrop.get_params}: top uniform in [0, H' − size], left uniform in [0, W' − size]. */
    public static Crop randomCrop(int width, int height, int size, RandomSource random) {
        int[] resized = resizedSize(width, height, size);
        int top = uniformInt(random, resized[1] - size + 1);
        int left = uniformInt(random, resized[0] - size + 1);
        return new Crop(top, left);
    }

    /** An integer uniform in [0, n) from one uniform float (no draw is saved when n is 1: the stream stays aligned). */
    private static int uniformInt(RandomSource random, int n) {
        return Math.min(n - 1, (int) (random.nextUniform() * n));
    }

    /** Steps 4-6: resize (Pillow bilinear, antialiased), crop, bytes / 255 as [1, 3, size, size]. */
    public static Tensor cropTensor(ByteImage rgb, int size, Crop crop) {
        int[] resized = resizedSize(rgb.width(), rgb.height(), size);
        ByteImage scaled = LanczosResampler.resizeBilinear(rgb, resized[0], resized[1]);
        ByteImage out = ByteImage.blank(size, size, 3);
        for (int y = 0; y < size; y++) {
            System.arraycopy(scaled.pixels(), ((crop.top() + y) * scaled.width() + crop.left()) * 3, out.pixels(),
                    y * size * 3, size * 3);
        }
        return PipelineImages.toTensor(out);
    }

    /** Step 7: [orig_width, orig_height, crop_top, crop_left, 6] (trap 42). */
    public static float[] microConds(int origWidth, int origHeight, Crop crop) {
        return new float[] {origWidth, origHeight, crop.top(), crop.left(), AESTHETIC_SCORE};
    }
}
