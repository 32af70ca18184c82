package org.amused4j.image;

import org.amused4j.tensor.AmusedException;
import org.amused4j.tensor.Tensor;

/**
 * The image conversions around the aMUSEd pipelines (spec 06 §6-8): input images to [0, 1] tensors, inpainting
 * masks to token masks, decoded tensors to 8-bit images.
 */
public final class PipelineImages {
    private PipelineImages() {
    }

    /**
     * An img2img/inpaint input image as the VQ model takes it: converted to RGB (Pillow {@code convert("RGB")}:
     * alpha dropped, grey replicated, palette expanded), resized with Pillow Lanczos to the next-lower multiple of
     * {@code factor} per side when it is not one already (no crop; diffusers' {@code VaeImageProcessor}), then
     * byte / 255 as float32 [1, 3, H, W].
     *
     * <p>diffusers does not convert to RGB (it resizes in the image's own mode and fails later for anything but RGB);
     * converting first is what a diffusers user has to do anyway.
     */
    public static Tensor inputTensor(DecodedImage image, int factor) {
        int w = image.width() - image.width() % factor;
        int h = image.height() - image.height() % factor;
        if (w == 0 || h == 0) {
            throw new AmusedException("image " + image.width() + "x" + image.height() + " is smaller than the "
                    + factor + "-pixel VQ block");
        }
        ByteImage rgb = LanczosResampler.resize(image.toRgb(), w, h);
        return toTensor(rgb);
    }

    /** An RGB image as float32 [1, 3, H, W] with value byte / 255. */
    public static Tensor toTensor(ByteImage rgb) {
        if (rgb.channels() != 3) {
            throw new IllegalArgumentException("expected an RGB image, got " + rgb.channels() + " channels");
        }
        int plane = rgb.width() * rgb.height();
        float[] out = new float[3 * plane];
        byte[] px = rgb.pixels();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + p] = (px[p * 3 + c] & 0xff) / 255f;
            }
        }
        return Tensor.of(out, 1, 3, rgb.height(), rgb.width());
    }

    /**
     * The inpainting token mask (spec 06 §8): the mask is resized to the token grid {@code width} x {@code height}
     * with Pillow Lanczos in its own mode (before any grey conversion; palette masks use nearest, as Pillow does),
     * converted to grey, and a token is repainted iff its grey byte is >= 128 (white = repaint). Row-major [h·w].
     *
     * <p>diffusers also rounds the requested grid size down to a multiple of the VQ factor, which only works when it
     * is a no-op; here the grid is used as given.
     */
    public static boolean[] tokenMask(DecodedImage mask, int width, int height) {
        ByteImage gray = mask.resize(width, height).toGray();
        boolean[] out = new boolean[width * height];
        for (int i = 0; i < out.length; i++) {
            out[i] = (gray.pixels()[i] & 0xff) >= 128;
        }
        return out;
    }

    /**
     * Image {@code index} of a decoded batch [B, 3, H, W] as 8-bit RGB: clamped to [0, 1], then x·255 rounded half to
     * even in float32 (numpy's {@code round}, what diffusers' PIL output does). NaN becomes 0.
     */
    public static ByteImage toByteImage(Tensor nchw, int index) {
        if (nchw.rank() != 4 || nchw.dim(1) != 3) {
            throw new IllegalArgumentException("expected [B, 3, H, W], got " + nchw);
        }
        int h = nchw.dim(2);
        int w = nchw.dim(3);
        int plane = h * w;
        float[] src = nchw.data();
        int base = index * 3 * plane;
        ByteImage out = ByteImage.blank(w, h, 3);
        byte[] px = out.pixels();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                px[p * 3 + c] = (byte) toByte(src[base + c * plane + p]);
            }
        }
        return out;
    }

    /** clamp(x, 0, 1)·255 rounded half to even, in float32. */
    static int toByte(float x) {
        float clamped = x >= 0f ? Math.min(x, 1f) : 0f;
        return (int) Math.rint(clamped * 255f);
    }
}
