package org.amused4j.shapes;

import org.amused4j.image.ByteImage;

import java.util.Random;

/**
 * One dataset image before it is drawn: the caption's content plus the jitter of the shape's centre from its
 * position's centre.
 */
public record ShapeScene(ShapeCaption caption, int jitterX, int jitterY) {
    /** Width and height of every dataset image. */
    public static final int IMAGE_SIZE = 64;

    public ShapeScene {
        if (Math.abs(jitterX) > Position.MAX_JITTER || Math.abs(jitterY) > Position.MAX_JITTER) {
            throw new IllegalArgumentException("jitter (" + jitterX + ", " + jitterY + ") beyond "
                    + Position.MAX_JITTER + " px");
        }
    }

    /**
     * {@code caption}'s scene, its centre moved by a uniform jitter of at most {@link Position#MAX_JITTER} px per
     * axis (x drawn first).
     */
    public static ShapeScene jittered(ShapeCaption caption, Random random) {
        int span = 2 * Position.MAX_JITTER + 1;
        int jitterX = random.nextInt(span) - Position.MAX_JITTER;
        int jitterY = random.nextInt(span) - Position.MAX_JITTER;
        return new ShapeScene(caption, jitterX, jitterY);
    }

    /**
     * The same scene with the shape in {@code colour}; a background of that colour takes the shape's old colour
     * (e.g. fine-tuning data for a colour word outside the grammar).
     */
    public ShapeScene withShapeColour(Colour colour) {
        ShapeCaption c = caption;
        Colour background = c.background() == colour ? c.colour() : c.background();
        return new ShapeScene(new ShapeCaption(c.size(), colour, c.shape(), c.position(), background), jitterX,
                jitterY);
    }

    /** The same scene on a {@code colour} background; a shape of that colour takes the old background's colour. */
    public ShapeScene withBackground(Colour colour) {
        ShapeCaption c = caption;
        Colour shape = c.colour() == colour ? c.background() : c.colour();
        return new ShapeScene(new ShapeCaption(c.size(), shape, c.shape(), c.position(), colour), jitterX, jitterY);
    }

    /** The shape's centre: a pixel corner, so an even-sided box around it is symmetric. */
    public int centreX() {
        return caption.position().x() + jitterX;
    }

    public int centreY() {
        return caption.position().y() + jitterY;
    }

    /** The 64×64 RGB image: the background colour, the shape's pixels in the shape colour. */
    public ByteImage render() {
        ByteImage image = canvas(caption.background());
        int side = caption.size().side();
        int left = centreX() - side / 2;
        int top = centreY() - side / 2;
        for (int row = 0; row < side; row++) {
            for (int column = 0; column < side; column++) {
                if (caption.shape().covers(side, column, row)) {
                    paint(image, left + column, top + row, caption.colour());
                }
            }
        }
        return image;
    }

    /** An empty 64×64 RGB image of {@code background}: what {@link #render} draws the shape on. */
    public static ByteImage canvas(Colour background) {
        ByteImage image = ByteImage.blank(IMAGE_SIZE, IMAGE_SIZE, 3);
        for (int y = 0; y < IMAGE_SIZE; y++) {
            for (int x = 0; x < IMAGE_SIZE; x++) {
                paint(image, x, y, background);
            }
        }
        return image;
    }

    private static void paint(ByteImage image, int x, int y, Colour c) {
        image.set(x, y, 0, c.red());
        image.set(x, y, 1, c.green());
        image.set(x, y, 2, c.blue());
    }
}
