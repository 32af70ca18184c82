package org.amused4j.shapes;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class HeldOutGenerationTest {
    @Test
    void heldOutPromptsAreSpreadEvenlyOverTheFourPairs() {
        List<ShapeCaption> prompts = HeldOutGeneration.prompts(200);
        assertThat(prompts).hasSize(200).allMatch(ShapeCaption::heldOut);
        Map<String, Long> perPair = prompts.stream().collect(Collectors.groupingBy(
                c -> c.colour().word() + " " + c.shape().word(), Collectors.counting()));
        assertThat(perPair).hasSize(4).allSatisfy((pair, n) -> assertThat(n).isBetween(49L, 51L));
        assertThat(HeldOutGeneration.prompts(20)).isEqualTo(HeldOutGeneration.prompts(20));
    }

    @Test
    void newColourPromptsNameItOnEveryShapeAndNeverAsBackground() {
        List<ShapeCaption> prompts = HeldOutGeneration.promptsWithShapeColour(Colour.PINK, 100);
        assertThat(prompts).hasSize(100).allMatch(c -> c.colour() == Colour.PINK && c.background() != Colour.PINK);
        assertThat(prompts.stream().map(ShapeCaption::shape).distinct()).hasSize(ShapeKind.values().length);
        assertThat(prompts.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting())))
                .allSatisfy((c, n) -> assertThat(n).isEqualTo(1L));
    }

    @Test
    void recolouringKeepsTheSceneAndNeverHidesTheShape() {
        ShapeScene scene = new ShapeScene(ShapeCaption.parse("a small red circle at top left on a white background"),
                1, -2);
        ShapeScene pink = scene.withShapeColour(Colour.PINK);
        assertThat(pink.caption().text()).isEqualTo("a small pink circle at top left on a white background");
        assertThat(pink.jitterX()).isEqualTo(1);
        assertThat(scene.withShapeColour(Colour.WHITE).caption().background()).isEqualTo(Colour.RED);
        assertThat(scene.withBackground(Colour.PINK).caption().text())
                .isEqualTo("a small red circle at top left on a pink background");
        assertThat(scene.withBackground(Colour.RED).caption().colour()).isEqualTo(Colour.WHITE);
    }
}
