package org.amused4j.text.bpe;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.shapes.ShapeCaption;
import org.amused4j.shapes.ShapesDataset;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.text.ClipWords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BpeTrainerTest {
    @TempDir
    Path dir;

    private static List<String> shapesCaptions() {
        return ShapesDataset.allCaptions(ShapesDataset.Split.ALL).stream().map(ShapeCaption::text).toList();
    }

    private static List<String> pairs(List<String[]> merges) {
        return merges.stream().map(m -> m[0] + " " + m[1]).toList();
    }

    @Test
    void shapesTokenizerHasOneTokenPerCaptionWordAndRoundTrips() throws IOException {
        List<String> captions = shapesCaptions();
        BpeTrainer.trainAndWrite(dir, captions, 1000, 77);
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        Map<String, Integer> vocab = new ObjectMapper().readValue(dir.resolve("vocab.json").toFile(),
                new TypeReference<Map<String, Integer>>() { });
        assertThat(vocab.size()).as("a small vocabulary").isBetween(BpeTrainer.BASE_VOCABULARY, 650);
        Map<Integer, String> byId = new HashMap<>();
        vocab.forEach((token, id) -> byId.put(id, token));
        for (String caption : captions) {
            List<Integer> ids = tokenizer.contentTokens(caption);
            assertThat(ids).as(caption).hasSize(caption.split(" ").length);
            String decoded = ids.stream().map(byId::get).collect(Collectors.joining()).replace("</w>", " ").strip();
            assertThat(decoded).isEqualTo(caption);
        }
    }

    @Test
    void trainingIsDeterministicAndIgnoresCorpusOrder() {
        List<String> captions = new ArrayList<>(shapesCaptions());
        List<String> first = pairs(BpeTrainer.train(captions, 1000));
        Collections.shuffle(captions, new Random(1));
        assertThat(pairs(BpeTrainer.train(captions, 1000))).isEqualTo(first);
    }

    @Test
    void mostFrequentPairFirstTiesInStringOrder() {
        // "ab" thrice, "cd" once, "xy" once: a+b</w> first, then the tie c+d</w> before x+y</w>.
        assertThat(pairs(BpeTrainer.train(List.of("xy ab", "AB ab cd"), 1000)))
                .containsExactly("a b</w>", "c d</w>", "x y</w>");
    }

    @Test
    void wordsAreSplitAndCleanedAsClipDoes() {
        assertThat(ClipWords.split("  A Red&amp;Blue  circle's 42!")).containsExactly("a", "red", "&", "blue",
                "circle", "'s", "4", "2", "!");
        assertThat(ClipWords.initialSymbols("red")).containsExactly("r", "e", "d</w>");
        assertThat(pairs(BpeTrainer.train(List.of("Ab ab"), 1000))).containsExactly("a b</w>");
    }

    @Test
    void stopsAtTheTargetVocabularySize() throws IOException {
        List<String[]> merges = BpeTrainer.trainAndWrite(dir, shapesCaptions(), BpeTrainer.BASE_VOCABULARY + 10, 77);
        assertThat(merges).hasSizeLessThanOrEqualTo(10);
        Map<String, Integer> vocab = new ObjectMapper().readValue(dir.resolve("vocab.json").toFile(),
                new TypeReference<Map<String, Integer>>() { });
        assertThat(vocab).hasSize(BpeTrainer.BASE_VOCABULARY + 10);
        assertThatThrownBy(() -> BpeTrainer.train(List.of("a"), 100)).isInstanceOf(IllegalArgumentException.class);
    }
}
