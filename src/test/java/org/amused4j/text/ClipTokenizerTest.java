package org.amused4j.text;

import org.amused4j.golden.UsesGolden;
import org.amused4j.tensor.AmusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour on the real CLIP vocabulary (from the golden model folders) that the golden prompts don't pin down. */
@UsesGolden
class ClipTokenizerTest {
    private static final int BOS = 49406;
    private static final int EOS = 49407;

    private final ClipTokenizer tokenizer = TokenizerFolders.first();

    @Test
    void specialTokensAndLengthComeFromTheFiles() {
        // The golden folders name <|endoftext|> as pad_token.
        assertThat(tokenizer.bosId()).isEqualTo(BOS);
        assertThat(tokenizer.eosId()).isEqualTo(EOS);
        assertThat(tokenizer.padId()).isEqualTo(EOS);
        assertThat(tokenizer.maxLength()).isEqualTo(77);
    }

    @Test
    void encodesTheSpecExample() {
        int[] ids = tokenizer.encode("a photo of an astronaut riding a horse on mars");
        assertThat(Arrays.copyOf(ids, 12)).containsExactly(BOS, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, EOS);
        assertThat(Arrays.copyOfRange(ids, 12, 77)).containsOnly(tokenizer.padId());
    }

    @Test
    void splitsNumbersIntoSingleDigits() {
        List<Integer> year = tokenizer.contentTokens("2024");
        assertThat(year).hasSize(4);
        assertThat(year.get(0)).isEqualTo(year.get(2)).isEqualTo(tokenizer.contentTokens("2").get(0));
    }

    @Test
    void keepsTheFirst75ContentTokensAndAlwaysEndsWithEos() {
        String prompt = "cat ".repeat(100);
        ClipTokenizer.Encoding enc = tokenizer.tokenize(prompt);
        assertThat(enc.contentTokens()).isEqualTo(100);
        assertThat(enc.truncated()).isTrue();
        assertThat(enc.ids()[76]).isEqualTo(EOS);
        assertThat(Arrays.copyOfRange(enc.ids(), 1, 76)).containsOnly(tokenizer.contentTokens("cat").get(0));
    }

    @Test
    void batchEncodingEncodesEachPromptIndependently() {
        int[][] rows = tokenizer.encode(List.of("a red fox", "", "a red fox"));
        assertThat(rows[0]).containsExactly(rows[2]);
        assertThat(rows[1]).containsExactly(tokenizer.encode(""));
        assertThat(rows[1][0]).isEqualTo(BOS);
        assertThat(rows[1][1]).isEqualTo(EOS);
    }

    @Test
    void isSafeToShareBetweenThreads() {
        List<String> prompts = IntStream.range(0, 400).mapToObj(i -> "prompt number " + i + " with word" + (i % 37)).toList();
        ClipTokenizer fresh = ClipTokenizer.load(TokenizerFolders.all().get(0));
        int[][] parallel = prompts.parallelStream().map(fresh::encode).toArray(int[][]::new);
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(parallel[i]).as(prompts.get(i)).containsExactly(tokenizer.encode(prompts.get(i)));
        }
    }

    /** The released aMUSEd tokenizer: pad_token "!" is an added token, so every literal "!" becomes id 0. */
    @Test
    void withExclamationMarkAsPadEveryExclamationMarkIsThePadId(@TempDir Path dir) throws IOException {
        Path folder = copyVocabulary(dir);
        Files.writeString(folder.resolve("tokenizer_config.json"), """
                {"added_tokens_decoder": {
                   "0": {"content": "!", "special": true},
                   "49406": {"content": "<|startoftext|>", "special": true},
                   "49407": {"content": "<|endoftext|>", "special": true}},
                 "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
                 "pad_token": "!", "model_max_length": 77}
                """);
        Files.writeString(folder.resolve("special_tokens_map.json"), """
                {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
                 "pad_token": {"content": "!", "lstrip": false, "normalized": false, "rstrip": false}}
                """);
        ClipTokenizer amused = ClipTokenizer.load(folder);
        assertThat(amused.padId()).isZero();

        int wow = tokenizer.contentTokens("wow").get(0);
        assertThat(amused.contentTokens("wow!")).containsExactly(wow, 0);
        assertThat(tokenizer.contentTokens("wow!")).hasSize(2).doesNotContain(0);
        assertThat(Arrays.copyOf(amused.encode("!!"), 5)).containsExactly(BOS, 0, 0, EOS, 0);
        assertThat(Arrays.copyOfRange(amused.encode("a photo"), 4, 77)).containsOnly(0);
    }

    @Test
    void padFallsBackToExclamationMarkWhenNoFileNamesOne(@TempDir Path dir) throws IOException {
        ClipTokenizer bare = ClipTokenizer.load(copyVocabulary(dir));
        assertThat(bare.padId()).isZero();
        assertThat(bare.bosId()).isEqualTo(BOS);
        assertThat(bare.eosId()).isEqualTo(EOS);
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ClipTokenizer.load(dir.resolve("nowhere")))
                .isInstanceOf(AmusedException.class).hasMessageContaining("nowhere");
        Path folder = copyVocabulary(dir);
        Files.delete(folder.resolve("merges.txt"));
        assertThatThrownBy(() -> ClipTokenizer.load(folder))
                .isInstanceOf(AmusedException.class).hasMessageContaining("merges.txt");
    }

    @Test
    void aSpecialTokenOutsideTheVocabularyIsRejected(@TempDir Path dir) throws IOException {
        Path folder = copyVocabulary(dir);
        Files.writeString(folder.resolve("special_tokens_map.json"), "{\"pad_token\": \"<|pad|>\"}");
        assertThatThrownBy(() -> ClipTokenizer.load(folder))
                .isInstanceOf(AmusedException.class).hasMessageContaining("<|pad|>").hasMessageContaining("vocab.json");
    }

    private static Path copyVocabulary(Path dir) throws IOException {
        Path source = TokenizerFolders.all().get(0);
        Path folder = Files.createDirectories(dir.resolve("tokenizer"));
        Files.copy(source.resolve("vocab.json"), folder.resolve("vocab.json"));
        Files.copy(source.resolve("merges.txt"), folder.resolve("merges.txt"));
        return folder;
    }
}
