package org.amused4j.text;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, loaded from a diffusers {@code tokenizer/} folder (spec 03), producing the
 * fixed-length id rows the aMUSEd pipelines feed the text encoder: BOS, the first {@code max_length − 2}
 * content tokens, EOS, then right padding with the pad token — all read from the folder's files.
 *
 * <p>Per prompt: (1) the raw text is cut at every literal occurrence of a registered added token (BOS, EOS,
 * UNK, PAD and {@code added_tokens_decoder} entries; exact, case-sensitive, leftmost-longest), each of which
 * becomes its id directly — for the released aMUSEd tokenizer that makes every {@code !} the pad id 0, as in
 * transformers' {@code CLIPTokenizer}; (2) each remaining piece is cleaned like OpenAI's reference tokenizer
 * with ftfy as the identity ({@link TextCleaner}: {@code html.unescape} twice, whitespace collapse,
 * lower-case); (3) the piece is split with CLIP's pre-tokenization regex (letter runs, single digits, runs of
 * other symbols, the contractions {@code 's 't 're 've 'm 'll 'd}, literal BOS/EOS strings) and (4) each
 * pre-token is byte-level BPE encoded ({@link ByteLevelBpe}).
 *
 * <p>This is the reference the golden data was made with. Where transformers' tokenizers differ (the golden
 * {@code tokenizer.json} marks such prompts {@code hf_fast_style_ids_differ}): neither the slow nor the fast HF
 * tokenizer unescapes HTML entities ({@code &amp;}, {@code &lt;}); the fast one and ftfy apply NFC, so decomposed
 * accents ({@code e} + U+0301) tokenize differently; with ftfy installed HF also straightens curly quotes, repairs
 * mojibake and folds full-width forms; without ftfy the HF slow tokenizer removes control characters and puts
 * spaces around CJK ideographs. A special-token string glued to a preceding symbol (such as {@code ?<|endoftext|>})
 * is split off first here, as HF does, whereas OpenAI's regex would absorb its {@code <|} into the symbol run.
 *
 * <p>Immutable apart from its BPE cache; safe to share between threads.
 */
public final class ClipTokenizer {
    private final TokenizerFiles files;
    private final ByteLevelBpe bpe;
    private final Pattern preTokens;

    /** The ids of one prompt and how many content tokens it had before truncation. */
    public record Encoding(int[] ids, int contentTokens) {
        public boolean truncated() {
            return contentTokens > ids.length - 2;
        }
    }

    private ClipTokenizer(TokenizerFiles files) {
        this.files = files;
        this.bpe = new ByteLevelBpe(files.mergeRanks(), List.of(files.bos(), files.eos()));
        this.preTokens = ClipWords.pattern(files.bos(), files.eos());
    }

    /**
     * Loads {@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json} and
     * {@code special_tokens_map.json} from a tokenizer folder.
     *
     * @throws org.amused4j.tensor.AmusedException naming the file when one is missing or malformed
     */
    public static ClipTokenizer load(Path folder) {
        return new ClipTokenizer(TokenizerFiles.read(folder));
    }

    /** The {@code max_length} ids of one prompt. */
    public int[] encode(String prompt) {
        return tokenize(prompt).ids();
    }

    /** One row of ids per prompt. */
    public int[][] encode(List<String> prompts) {
        int[][] rows = new int[prompts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = encode(prompts.get(i));
        }
        return rows;
    }

    /** The padded ids together with the number of content tokens before truncation. */
    public Encoding tokenize(String prompt) {
        List<Integer> content = contentTokens(prompt);
        int max = files.maxLength();
        int[] ids = new int[max];
        Arrays.fill(ids, files.padId());
        ids[0] = files.bosId();
        int kept = Math.min(content.size(), max - 2);
        for (int i = 0; i < kept; i++) {
            ids[1 + i] = content.get(i);
        }
        ids[1 + kept] = files.eosId();
        return new Encoding(ids, content.size());
    }

    /** Every content token id of the prompt (no BOS/EOS, no truncation). */
    public List<Integer> contentTokens(String prompt) {
        List<Integer> ids = new ArrayList<>();
        int start = 0;
        while (start < prompt.length()) {
            TokenizerFiles.AddedToken next = files.nextAddedToken(prompt, start);
            int end = next == null ? prompt.length() : next.position();
            encodeText(prompt.substring(start, end), ids);
            if (next == null) {
                break;
            }
            ids.add(next.id());
            start = end + next.content().length();
        }
        return ids;
    }

    private void encodeText(String piece, List<Integer> ids) {
        if (piece.isEmpty()) {
            return;
        }
        Matcher m = preTokens.matcher(TextCleaner.clean(piece));
        while (m.find()) {
            for (String subword : bpe.encode(m.group())) {
                ids.add(files.idOf(subword));
            }
        }
    }

    public int bosId() {
        return files.bosId();
    }

    public int eosId() {
        return files.eosId();
    }

    public int padId() {
        return files.padId();
    }

    /** Length of every encoded row ({@code model_max_length}, 77 for CLIP). */
    public int maxLength() {
        return files.maxLength();
    }
}
