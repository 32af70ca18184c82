package org.amused4j.shapes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Accuracy of a set of {@link Judgement}s per attribute and for all attributes at once, over all images and over
 * the images whose caption has a held-out (colour, shape) pair — the measure of compositional generalisation.
 */
public record ShapesReport(List<Judgement> judgements) {
    /** The report key of "every attribute correct". */
    public static final String ALL = "all";

    public ShapesReport {
        judgements = List.copyOf(judgements);
    }

    public List<Judgement> heldOut() {
        return judgements.stream().filter(j -> j.expected().heldOut()).toList();
    }

    /** Fraction of images with the attribute right; NaN for no images. */
    public static double accuracy(List<Judgement> judgements, Attribute attribute) {
        return fraction(judgements, j -> j.correct(attribute));
    }

    /** Fraction of images with every attribute right; NaN for no images. */
    public static double allCorrect(List<Judgement> judgements) {
        return fraction(judgements, Judgement::allCorrect);
    }

    private static double fraction(List<Judgement> judgements, Predicate<Judgement> ok) {
        return judgements.stream().filter(ok).count() / (double) judgements.size();
    }

    public String text() {
        List<Judgement> heldOut = heldOut();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "images: %d (%d with a held-out colour/shape pair)%n",
                judgements.size(), heldOut.size()));
        s.append(String.format(Locale.ROOT, "%-12s %10s %10s%n", "attribute", "all", "held-out"));
        for (Attribute a : Attribute.values()) {
            s.append(String.format(Locale.ROOT, "%-12s %10s %10s%n", a.key(), percent(accuracy(judgements, a)),
                    percent(accuracy(heldOut, a))));
        }
        s.append(String.format(Locale.ROOT, "%-12s %10s %10s%n", ALL, percent(allCorrect(judgements)),
                percent(allCorrect(heldOut))));
        return s.toString();
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    /**
     * {@code {"images", "accuracy": {attribute: fraction, ..., "all"}, "held_out": {"images", "accuracy"},
     * "results": [{"image", "caption", "predicted": {attribute: words}, "correct": {attribute: bool, "all"}}]}};
     * accuracies of an empty set are null.
     */
    public String json() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        summary(root, judgements);
        summary(root.putObject("held_out"), heldOut());
        ArrayNode results = root.putArray("results");
        for (Judgement j : judgements) {
            ObjectNode r = results.addObject();
            r.put("image", j.image());
            r.put("caption", j.expected().text());
            ObjectNode predicted = r.putObject("predicted");
            ObjectNode correct = r.putObject("correct");
            for (Attribute a : Attribute.values()) {
                predicted.put(a.key(), a.predicted(j.predicted()));
                correct.put(a.key(), j.correct(a));
            }
            correct.put(ALL, j.allCorrect());
        }
        return root.toPrettyString();
    }

    private static void summary(ObjectNode node, List<Judgement> judgements) {
        node.put("images", judgements.size());
        ObjectNode accuracy = node.putObject("accuracy");
        for (Attribute a : Attribute.values()) {
            putFraction(accuracy, a.key(), accuracy(judgements, a));
        }
        putFraction(accuracy, ALL, allCorrect(judgements));
    }

    private static void putFraction(ObjectNode node, String key, double value) {
        if (Double.isNaN(value)) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }
}
