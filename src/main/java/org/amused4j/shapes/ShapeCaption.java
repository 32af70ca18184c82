package org.amused4j.shapes;

import org.amused4j.tensor.AmusedException;

import java.util.Arrays;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What one dataset image shows, and its caption in the dataset's exact grammar:
 * {@code a {size} {colour} {shape} at {position} on a {background} background}. Captions may also name the
 * {@link Colour#EXTRA} colours (fine-tuning data for a new word); the dataset itself never does.
 */
public record ShapeCaption(ShapeSize size, Colour colour, ShapeKind shape, Position position, Colour background) {
    private static final Pattern GRAMMAR = Pattern.compile("a (" + alternatives(ShapeSize.values(), ShapeSize::word)
            + ") (" + alternatives(Colour.values(), Colour::word) + ") ("
            + alternatives(ShapeKind.values(), ShapeKind::word) + ") at ("
            + alternatives(Position.values(), Position::words) + ") on a ("
            + alternatives(Colour.values(), Colour::word) + ") background");

    public ShapeCaption {
        if (colour == background) {
            throw new IllegalArgumentException("a " + colour.word() + " shape on a " + background.word()
                    + " background would be invisible");
        }
    }

    public String text() {
        return "a " + size.word() + " " + colour.word() + " " + shape.word() + " at " + position.words() + " on a "
                + background.word() + " background";
    }

    /** Whether this is one of the (colour, shape) pairs kept out of the training data. */
    public boolean heldOut() {
        return ShapesDataset.isHeldOut(colour, shape);
    }

    /**
     * Reads a caption of the exact grammar (lower case, single spaces).
     *
     * @throws AmusedException quoting the text when it does not follow the grammar
     */
    public static ShapeCaption parse(String text) {
        Matcher m = GRAMMAR.matcher(text);
        if (!m.matches()) {
            throw new AmusedException("'" + text + "' is not a shapes caption (expected 'a {small|large} {colour}"
                    + " {shape} at {position} on a {colour} background')");
        }
        Colour colour = find(Colour.values(), Colour::word, m.group(2));
        Colour background = find(Colour.values(), Colour::word, m.group(5));
        if (colour == background) {
            throw new AmusedException("'" + text + "': the shape and the background have the same colour");
        }
        return new ShapeCaption(find(ShapeSize.values(), ShapeSize::word, m.group(1)), colour,
                find(ShapeKind.values(), ShapeKind::word, m.group(3)),
                find(Position.values(), Position::words, m.group(4)), background);
    }

    private static <T> String alternatives(T[] values, Function<T, String> word) {
        return Arrays.stream(values).map(v -> Pattern.quote(word.apply(v))).collect(Collectors.joining("|"));
    }

    private static <T> T find(T[] values, Function<T, String> word, String text) {
        for (T v : values) {
            if (word.apply(v).equals(text)) {
                return v;
            }
        }
        throw new AssertionError("the grammar only matches known words: " + text);
    }
}
