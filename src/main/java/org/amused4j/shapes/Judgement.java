package org.amused4j.shapes;

/** One evaluated image: its name, the caption it should show, and what the evaluator read from it. */
public record Judgement(String image, ShapeCaption expected, Prediction predicted) {
    public boolean correct(Attribute attribute) {
        return attribute.correct(expected, predicted);
    }

    public boolean allCorrect() {
        for (Attribute a : Attribute.values()) {
            if (!correct(a)) {
                return false;
            }
        }
        return true;
    }
}
