package org.amused4j.shapes;

import java.util.Locale;

/** The attributes a shapes caption states, each judged separately by the evaluator. */
public enum Attribute {
    SIZE, COLOUR, SHAPE, POSITION, BACKGROUND;

    /** The name used in reports. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The caption's words for this attribute. */
    public String expected(ShapeCaption c) {
        return switch (this) {
            case SIZE -> c.size().word();
            case COLOUR -> c.colour().word();
            case SHAPE -> c.shape().word();
            case POSITION -> c.position().words();
            case BACKGROUND -> c.background().word();
        };
    }

    /** The prediction's words for this attribute, "none" when no shape was found. */
    public String predicted(Prediction p) {
        if (p.shape() == null && this != BACKGROUND) {
            return "none";
        }
        return switch (this) {
            case SIZE -> p.size().word();
            case COLOUR -> p.colour().word();
            case SHAPE -> p.shape().word();
            case POSITION -> p.position().words();
            case BACKGROUND -> p.background().word();
        };
    }

    public boolean correct(ShapeCaption expected, Prediction predicted) {
        return expected(expected).equals(predicted(predicted));
    }
}
