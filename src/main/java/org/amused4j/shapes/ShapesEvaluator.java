package org.amused4j.shapes;

import org.amused4j.image.ByteImage;
import org.amused4j.image.DecodedImage;

import java.util.List;

/**
 * Reads a shapes caption's attributes back from an image's pixels, deterministically. Steps:
 * <ol>
 *   <li>images of another size are first resized to 64×64 (Pillow's Lanczos, as everywhere in this project);</li>
 *   <li>every pixel gets its nearest palette colour; the background is the most common one on the image
 *       border;</li>
 *   <li>the largest 4-connected region of non-background pixels is the shape candidate; the shape colour is the
 *       palette colour whose mixtures with the background best explain that region's pixels;</li>
 *   <li>the shape region is the largest region of pixels closer to the shape colour than to the background — a
 *       half-way threshold, so blurred edges count as much inside as outside, and stray pixels, which form
 *       smaller regions, are ignored — and is measured with soft coverage ({@link ShapeMeasure});</li>
 *   <li>position: the nearest of the 9 centres to the centroid; size: the area against the geometric mean of the
 *       largest small area and the smallest large area; shape: the shape whose drawing, placed near the centroid,
 *       best fits the image's coverage map ({@link TemplateMatcher}).</li>
 * </ol>
 * The size references are measured on the dataset's own renderings and the shape drawings are {@link ShapeKind}'s,
 * so both follow the dataset's geometry. On dataset images the worst margins are the size threshold (~195 px² between 144 and
 * 264) and the position of a jittered large triangle, whose centroid lies 3.3 px below its box centre (still
 * 4 px from the half-way line between two centres).
 */
public final class ShapesEvaluator {
    private static final int FRAME = ShapeScene.IMAGE_SIZE;

    private final TemplateMatcher matcher = new TemplateMatcher(FRAME);
    private final double sizeThreshold;
    private final List<Colour> palette;

    /** An evaluator for images in the dataset's palette ({@link Colour#GRAMMAR}). */
    public ShapesEvaluator() {
        this(Colour.GRAMMAR);
    }

    /** An evaluator whose pixels may take any colour of {@code palette} (e.g. the grammar's plus a new one). */
    public ShapesEvaluator(List<Colour> palette) {
        this.palette = List.copyOf(palette);
        double largestSmall = 0;
        double smallestLarge = Double.MAX_VALUE;
        for (ShapeKind shape : ShapeKind.values()) {
            for (ShapeSize size : ShapeSize.values()) {
                ShapeScene scene = new ShapeScene(
                        new ShapeCaption(size, Colour.WHITE, shape, Position.CENTER, Colour.BLACK), 0, 0);
                ShapeMeasure m = measure(scene.render(), Colour.WHITE, Colour.BLACK);
                if (size == ShapeSize.SMALL) {
                    largestSmall = Math.max(largestSmall, m.area());
                } else {
                    smallestLarge = Math.min(smallestLarge, m.area());
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
        if (image.width() != FRAME || image.height() != FRAME) {
            image = new DecodedImage(image, false).resize(FRAME, FRAME).pixels();
        }
        Colour[] labels = new Colour[FRAME * FRAME];
        for (int p = 0; p < labels.length; p++) {
            labels[p] = Colour.nearest(palette, image.get(p % FRAME, p / FRAME, 0), image.get(p % FRAME, p / FRAME, 1),
                    image.get(p % FRAME, p / FRAME, 2));
        }
        Colour background = borderMode(labels);
        boolean[] notBackground = new boolean[labels.length];
        for (int p = 0; p < labels.length; p++) {
            notBackground[p] = labels[p] != background;
        }
        int[] candidate = Blob.largest(notBackground, FRAME, FRAME);
        if (candidate.length == 0) {
            return Prediction.backgroundOnly(background);
        }
        Colour colour = bestMixture(image, candidate, background);
        ShapeMeasure m = measure(image, colour, background);
        if (m == null || !m.finite()) {
            return Prediction.backgroundOnly(background);
        }
        ShapeSize size = m.area() < sizeThreshold ? ShapeSize.SMALL : ShapeSize.LARGE;
        ShapeKind shape = matcher.classify(coverage(image, colour, background), m.centroidX(), m.centroidY());
        return new Prediction(size, colour, shape, Position.nearest(m.centroidX(), m.centroidY()), background);
    }

    /**
     * The shape region's measure, or null when no pixel is closer to the shape colour than to the background; its
     * features may not be {@link ShapeMeasure#finite()} (nothing measurable: read as no shape).
     */
    private static ShapeMeasure measure(ByteImage image, Colour colour, Colour background) {
        boolean[] mask = new boolean[FRAME * FRAME];
        for (int p = 0; p < mask.length; p++) {
            int r = image.get(p % FRAME, p / FRAME, 0);
            int g = image.get(p % FRAME, p / FRAME, 1);
            int b = image.get(p % FRAME, p / FRAME, 2);
            mask[p] = colour.distance2(r, g, b) < background.distance2(r, g, b);
        }
        int[] region = Blob.largest(mask, FRAME, FRAME);
        return region.length == 0 ? null : ShapeMeasure.of(image, region, colour, background);
    }

    /** Every pixel's coverage: where its colour lies from the background (0) to the shape colour (1), clamped. */
    private static double[] coverage(ByteImage image, Colour colour, Colour background) {
        double[] c = new double[FRAME * FRAME];
        for (int p = 0; p < c.length; p++) {
            c[p] = Math.clamp(ShapeMeasure.coverage(image.get(p % FRAME, p / FRAME, 0),
                    image.get(p % FRAME, p / FRAME, 1), image.get(p % FRAME, p / FRAME, 2), background, colour), 0, 1);
        }
        return c;
    }

    /**
     * The shape colour that best explains the region's pixels as mixtures of it with the background: the palette
     * colour whose segment to the background colour has the least summed distance to the pixels. Blurred edges
     * are such mixtures, and can lie nearer a third palette colour (red blurred into blue is purple), so the
     * region's most common palette colour is not reliable on small shapes; the interior pixels decide here.
     */
    private Colour bestMixture(ByteImage image, int[] pixels, Colour background) {
        Colour best = null;
        double bestResidual = Double.MAX_VALUE;
        for (Colour c : palette) {
            if (c == background) {
                continue;
            }
            double residual = 0;
            for (int p : pixels) {
                residual += Math.sqrt(distance2ToSegment(image.get(p % FRAME, p / FRAME, 0),
                        image.get(p % FRAME, p / FRAME, 1), image.get(p % FRAME, p / FRAME, 2), background, c));
            }
            if (residual < bestResidual) {
                bestResidual = residual;
                best = c;
            }
        }
        return best;
    }

    /** Squared distance from an RGB value to the segment between two palette colours. */
    private static double distance2ToSegment(int r, int g, int b, Colour from, Colour to) {
        double t = Math.clamp(ShapeMeasure.coverage(r, g, b, from, to), 0, 1);
        double er = r - (from.red() + t * (to.red() - from.red()));
        double eg = g - (from.green() + t * (to.green() - from.green()));
        double eb = b - (from.blue() + t * (to.blue() - from.blue()));
        return er * er + eg * eg + eb * eb;
    }

    private Colour borderMode(Colour[] labels) {
        int[] counts = new int[Colour.values().length];
        for (int p = 0; p < labels.length; p++) {
            int x = p % FRAME;
            int y = p / FRAME;
            if (x == 0 || y == 0 || x == FRAME - 1 || y == FRAME - 1) {
                counts[labels[p].ordinal()]++;
            }
        }
        Colour best = palette.getFirst();
        for (Colour c : palette) {
            if (counts[c.ordinal()] > counts[best.ordinal()]) {
                best = c; // the first in palette order on a tie
            }
        }
        return best;
    }
}
