package org.amused4j.shapes;

import java.util.Locale;

/** The shape's bounding-box side in pixels (of a 64×64 image). */
public enum ShapeSize {
    SMALL(12), LARGE(22);

    private final int side;

    ShapeSize(int side) {
        this.side = side;
    }

    public int side() {
        return side;
    }

    /** The caption word. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
