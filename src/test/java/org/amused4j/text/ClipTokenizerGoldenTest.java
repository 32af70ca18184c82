package org.amused4j.text;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every golden tokenizer prompt, with every golden tokenizer folder, gives exactly the recorded ids. */
@UsesGolden
@Tag("parity")
class ClipTokenizerGoldenTest {

    @TestFactory
    Stream<DynamicNode> everyPromptGivesTheGoldenIds() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (GoldenCase c : Golden.cases("tokenizer")) {
            long[] ids = c.longs("input_ids");
            long[] counts = c.longs("n_content_tokens");
            JsonNode prompts = c.json().path("prompts");
            int width = ids.length / counts.length;
            assertThat(prompts.size()).as(c.name() + " prompts").isEqualTo(counts.length);
            for (Path folder : TokenizerFolders.all()) {
                ClipTokenizer tokenizer = ClipTokenizer.load(folder);
                List<DynamicTest> tests = new ArrayList<>();
                for (int i = 0; i < counts.length; i++) {
                    JsonNode p = prompts.get(i);
                    String prompt = p.path("prompt").asText();
                    long[] expected = Arrays.copyOfRange(ids, i * width, (i + 1) * width);
                    long expectedCount = counts[i];
                    tests.add(DynamicTest.dynamicTest(i + ": " + abbreviate(prompt), () -> {
                        ClipTokenizer.Encoding enc = tokenizer.tokenize(prompt);
                        assertThat(Arrays.stream(enc.ids()).asLongStream().toArray()).as(prompt).containsExactly(expected);
                        assertThat(enc.contentTokens()).as(prompt + " content tokens").isEqualTo(expectedCount);
                        assertThat(enc.truncated()).as(prompt + " truncated").isEqualTo(p.path("truncated").asBoolean());
                        if (p.path("hf_fast_style_ids_differ").asBoolean()) {
                            // We follow the reference, not transformers' fast tokenizer, where the two disagree.
                            long[] hf = longs(p.path("hf_fast_style_input_ids"));
                            assertThat(Arrays.stream(enc.ids()).asLongStream().toArray()).as(prompt).isNotEqualTo(hf);
                        }
                    }));
                }
                nodes.add(DynamicContainer.dynamicContainer(c.name() + " with " + folder.getParent().getFileName(), tests));
            }
        }
        return nodes.stream();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
