package org.amused4j.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The procedural shapes dataset: a deterministic stream of {@link ShapeScene}s from a seed. Every attribute is
 * drawn uniformly — the (colour, shape) pair among those of the {@link Split}, then size, position, a background
 * among the 7 colours other than the shape's, and a jitter of −2..2 px on each axis. The generator is
 * {@link java.util.Random}, whose algorithm the JDK specifies, so a seed gives the same dataset on every JVM; and
 * as each scene takes the same draws, the first n scenes of a seed do not depend on how many are asked for.
 *
 * <p>Four (colour, shape) pairs never occur in {@link Split#TRAIN}, in any size, position or background, so that
 * a model trained on it can be tested on combinations it has never seen ({@link Split#HELD_OUT}).
 */
public final class ShapesDataset {
    /** The (colour, shape) pairs kept out of the training split. */
    public static final Set<ColouredShape> HELD_OUT_PAIRS = Set.of(
            new ColouredShape(Colour.GREEN, ShapeKind.TRIANGLE),
            new ColouredShape(Colour.PURPLE, ShapeKind.CIRCLE),
            new ColouredShape(Colour.ORANGE, ShapeKind.SQUARE),
            new ColouredShape(Colour.BLUE, ShapeKind.CROSS));

    /** A shape colour with a shape. */
    public record ColouredShape(Colour colour, ShapeKind shape) {
    }

    /** Which (colour, shape) pairs a dataset draws from. */
    public enum Split {
        /** every pair except the held-out ones: the training data */
        TRAIN,
        /** only the held-out pairs: evaluation prompts for compositional generalisation */
        HELD_OUT,
        /** every pair */
        ALL;

        /** The name on the command line: "train", "held-out", "all". */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The split named by {@link #word()}. */
        public static Split of(String word) {
            for (Split s : values()) {
                if (s.word().equals(word)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown split '" + word + "' (train, held-out or all)");
        }

        boolean includes(ColouredShape pair) {
            return switch (this) {
                case TRAIN -> !HELD_OUT_PAIRS.contains(pair);
                case HELD_OUT -> HELD_OUT_PAIRS.contains(pair);
                case ALL -> true;
            };
        }
    }

    private final Random random;
    private final List<ColouredShape> pairs;

    public ShapesDataset(long seed, Split split) {
        this.random = new Random(seed);
        this.pairs = new ArrayList<>();
        for (Colour c : Colour.GRAMMAR) {
            for (ShapeKind s : ShapeKind.values()) {
                ColouredShape pair = new ColouredShape(c, s);
                if (split.includes(pair)) {
                    pairs.add(pair);
                }
            }
        }
    }

    public static boolean isHeldOut(Colour colour, ShapeKind shape) {
        return HELD_OUT_PAIRS.contains(new ColouredShape(colour, shape));
    }

    /** The next scene of the stream. */
    public ShapeScene next() {
        ColouredShape pair = pairs.get(random.nextInt(pairs.size()));
        ShapeSize size = pick(ShapeSize.values());
        Position position = pick(Position.values());
        int b = random.nextInt(Colour.GRAMMAR.size() - 1); // skip the shape colour
        Colour background = Colour.GRAMMAR.get(b >= pair.colour().ordinal() ? b + 1 : b);
        return ShapeScene.jittered(new ShapeCaption(size, pair.colour(), pair.shape(), position, background),
                random);
    }

    /** The next {@code count} scenes. */
    public List<ShapeScene> next(int count) {
        List<ShapeScene> scenes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            scenes.add(next());
        }
        return scenes;
    }

    /** Every caption of a split, in a fixed order (the held-out split has 4 × 2 × 9 × 7 = 504). */
    public static List<ShapeCaption> allCaptions(Split split) {
        List<ShapeCaption> captions = new ArrayList<>();
        for (Colour colour : Colour.GRAMMAR) {
            for (ShapeKind shape : ShapeKind.values()) {
                if (!split.includes(new ColouredShape(colour, shape))) {
                    continue;
                }
                for (ShapeSize size : ShapeSize.values()) {
                    for (Position position : Position.values()) {
                        for (Colour background : Colour.GRAMMAR) {
                            if (background != colour) {
                                captions.add(new ShapeCaption(size, colour, shape, position, background));
                            }
                        }
                    }
                }
            }
        }
        return captions;
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }
}
