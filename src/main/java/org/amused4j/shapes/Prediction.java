package org.amused4j.shapes;

/**
 * What the evaluator reads from an image. The shape's fields are null when no shape was found (the image is all
 * background).
 */
public record Prediction(ShapeSize size, Colour colour, ShapeKind shape, Position position, Colour background) {
    static Prediction backgroundOnly(Colour background) {
        return new Prediction(null, null, null, null, background);
    }
}
