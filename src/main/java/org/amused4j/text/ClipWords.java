package org.amused4j.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's pre-tokenization, public for BPE training: text is cleaned ({@link TextCleaner}) and cut into words by
 * the pre-tokenization regex, and a word starts out as its byte characters with {@code </w>} on the last one —
 * the units and initial symbols that {@link ClipTokenizer} merges within, so merges learnt over them are the ones
 * the tokenizer will apply.
 */
public final class ClipWords {
    private static final Pattern DEFAULT_PATTERN = pattern(TokenizerWriter.BOS, TokenizerWriter.EOS);

    private ClipWords() {
    }

    /** The pre-tokenization regex, with a tokenizer's own BOS/EOS strings as unsplittable words. */
    static Pattern pattern(String bos, String eos) {
        return Pattern.compile(Pattern.quote(bos) + "|" + Pattern.quote(eos)
                        + "|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    }

    /** The words of a text: cleaned (lower-cased) and split as CLIP's tokenizer splits it. */
    public static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = DEFAULT_PATTERN.matcher(TextCleaner.clean(text));
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    /** A word's symbols before any merge: its UTF-8 bytes as byte characters, {@code </w>} on the last. */
    public static List<String> initialSymbols(String word) {
        return ByteLevelBpe.initialSymbols(ByteLevelBpe.toByteChars(word));
    }
}
