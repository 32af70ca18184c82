package org.amused4j.shapes;

import org.amused4j.image.ByteImage;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a shapes caption's attributes back from an image's pixels, deterministically. Images of any size are
 * judged in the dataset's 64×64 frame (centroid and area are rescaled). Steps:
 * <ol>
 *   <li>every pixel gets its nearest palette colour; the background is the most common one on the image
 *       border;</li>
 *   <li>the largest 4-connected region of non-background pixels is the shape candidate, and its most common
 *       palette colour is the shape colour;</li>
 *   <li>the shape is then the largest region of pixels closer to the shape colour than to the background colour
 *       — a half-way threshold, so blurred edges count as much inside as outside, and stray pixels, which form
 *       smaller regions, are ignored;</li>
 *   <li>position: the nearest of the 9 centres to the region's centroid; size: the area against the geometric
 *       mean of the largest small area and the smallest large area; shape: the reference shape nearest in
 *       (fill ratio of the bounding box, vertical balance) — the triangle is the one that is not up-down
 *       symmetric, the others differ in fill (square 1, circle ~π/4, cross ~0.56–0.6).</li>
 * </ol>
 * The references (areas and features) are measured from the dataset's own renderings, so they follow the geometry
 * of {@link ShapeKind}.
 */
public final class ShapesEvaluator {
    private static final int FRAME = ShapeScene.IMAGE_SIZE;

    private record Reference(ShapeKind shape, double fill, double drop) {
    }

    private final List<Reference> references = new ArrayList<>();
    private final double sizeThreshold;

    public ShapesEvaluator() {
        double largestSmall = 0;
        double smallestLarge = Double.MAX_VALUE;
        for (ShapeKind shape : ShapeKind.values()) {
            for (ShapeSize size : ShapeSize.values()) {
                ShapeScene scene = new ShapeScene(
                        new ShapeCaption(size, Colour.WHITE, shape, Position.CENTER, Colour.BLACK), 0, 0);
                Blob blob = shapeRegion(scene.render(), Colour.WHITE, Colour.BLACK);
                references.add(new Reference(shape, blob.fill(), blob.drop()));
                if (size == ShapeSize.SMALL) {
                    largestSmall = Math.max(largestSmall, blob.area());
                } else {
                    smallestLarge = Math.min(smallestLarge, blob.area());
                }
            }
        }
        sizeThreshold = Math.sqrt(largestSmall * smallestLarge);
    }

    /** The attributes read from an RGB image. */
    public Prediction predict(ByteImage image) {
        if (image.channels() != 3) {
            throw new IllegalArgumentException("expected an RGB image, got " + image.channels() + " channels");
        }
        int width = image.width();
        int height = image.height();
        Colour[] labels = new Colour[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                labels[y * width + x] = Colour.nearest(image.get(x, y, 0), image.get(x, y, 1), image.get(x, y, 2));
            }
        }
        Colour background = borderMode(labels, width, height);
        boolean[] notBackground = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            notBackground[i] = labels[i] != background;
        }
        Blob candidate = Blob.largest(notBackground, width, height);
        if (candidate == null) {
            return Prediction.backgroundOnly(background);
        }
        Colour colour = mode(labels, candidate.pixels());
        Blob shape = shapeRegion(image, colour, background);
        if (shape == null) {
            return Prediction.backgroundOnly(background);
        }
        double scale = (double) FRAME * FRAME / (width * height);
        ShapeSize size = shape.area() * scale < sizeThreshold ? ShapeSize.SMALL : ShapeSize.LARGE;
        Position position = Position.nearest(shape.centroidX() * FRAME / width, shape.centroidY() * FRAME / height);
        return new Prediction(size, colour, classify(shape), position, background);
    }

    /** The largest region of pixels closer to the shape colour than to the background colour. */
    private static Blob shapeRegion(ByteImage image, Colour colour, Colour background) {
        int width = image.width();
        boolean[] mask = new boolean[width * image.height()];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < width; x++) {
                int r = image.get(x, y, 0);
                int g = image.get(x, y, 1);
                int b = image.get(x, y, 2);
                mask[y * width + x] = colour.distance2(r, g, b) < background.distance2(r, g, b);
            }
        }
        return Blob.largest(mask, width, image.height());
    }

    private ShapeKind classify(Blob blob) {
        Reference best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Reference r : references) {
            double df = blob.fill() - r.fill();
            double dd = blob.drop() - r.drop();
            double d = df * df + dd * dd;
            if (d < bestDistance) {
                bestDistance = d;
                best = r;
            }
        }
        return best.shape();
    }

    private static Colour borderMode(Colour[] labels, int width, int height) {
        int[] counts = new int[Colour.values().length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (x == 0 || y == 0 || x == width - 1 || y == height - 1) {
                    counts[labels[y * width + x].ordinal()]++;
                }
            }
        }
        return argmax(counts);
    }

    private static Colour mode(Colour[] labels, int[] pixels) {
        int[] counts = new int[Colour.values().length];
        for (int p : pixels) {
            counts[labels[p].ordinal()]++;
        }
        return argmax(counts);
    }

    /** The colour with the highest count, the first in palette order on a tie. */
    private static Colour argmax(int[] counts) {
        int best = 0;
        for (int i = 1; i < counts.length; i++) {
            if (counts[i] > counts[best]) {
                best = i;
            }
        }
        return Colour.values()[best];
    }
}
