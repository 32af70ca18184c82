package org.amused4j.text.bpe;

import org.amused4j.text.ClipWords;
import org.amused4j.text.TokenizerWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns CLIP-format byte-level BPE merges from a corpus. Words are what {@link ClipWords} cuts the texts into
 * (cleaned, lower-cased, CLIP's pre-tokenization regex) and start as byte characters with {@code </w>} on the last
 * one, exactly as {@link org.amused4j.text.ClipTokenizer} will see them. Each round merges the adjacent pair that
 * occurs most often over the corpus (word frequency times occurrences in the word); ties go to the pair that
 * sorts first (left symbol, then right, by {@link String#compareTo}), so the result depends on nothing but the
 * corpus and the target size. Training stops at the target vocabulary size or when every word is one symbol.
 */
public final class BpeTrainer {
    /** The vocabulary {@link TokenizerWriter} builds around the merges: 256 byte characters, the same with
     * {@code </w>}, then BOS and EOS. */
    public static final int BASE_VOCABULARY = 2 * 256 + 2;

    private static final Comparator<Map.Entry<Pair, Long>> BEST_FIRST =
            Comparator.<Map.Entry<Pair, Long>>comparingLong(Map.Entry::getValue).reversed()
                    .thenComparing(Map.Entry::getKey);

    private BpeTrainer() {
    }

    private record Pair(String left, String right) implements Comparable<Pair> {
        @Override
        public int compareTo(Pair o) {
            int c = left.compareTo(o.left);
            return c != 0 ? c : right.compareTo(o.right);
        }
    }

    /** A distinct word of the corpus: its current symbols and how often it occurs. */
    private static final class Word {
        List<String> symbols;
        final long count;

        Word(List<String> symbols, long count) {
            this.symbols = symbols;
            this.count = count;
        }
    }

    /**
     * @param corpus         texts (captions)
     * @param vocabularySize the largest vocabulary the merges may give ({@link #BASE_VOCABULARY} + the distinct
     *                       symbols they create)
     * @return merges, highest priority (learnt first) first, as {@code {left, right}}
     */
    public static List<String[]> train(Iterable<String> corpus, int vocabularySize) {
        if (vocabularySize < BASE_VOCABULARY) {
            throw new IllegalArgumentException("a CLIP vocabulary has at least " + BASE_VOCABULARY
                    + " entries, asked for " + vocabularySize);
        }
        List<Word> words = countWords(corpus);
        List<String[]> merges = new ArrayList<>();
        Set<String> created = new HashSet<>();
        while (BASE_VOCABULARY + created.size() < vocabularySize) {
            Map<Pair, Long> pairs = countPairs(words);
            if (pairs.isEmpty()) {
                break; // every word is a single symbol
            }
            Pair best = pairs.entrySet().stream().min(BEST_FIRST).orElseThrow().getKey();
            merges.add(new String[] {best.left(), best.right()});
            created.add(best.left() + best.right());
            for (Word w : words) {
                w.symbols = mergeAll(w.symbols, best);
            }
        }
        return merges;
    }

    /**
     * Trains on the corpus and writes a CLIP tokenizer folder padding with {@code "!"}, as aMUSEd's does, to
     * {@code maxLength} tokens.
     */
    public static List<String[]> trainAndWrite(Path folder, Iterable<String> corpus, int vocabularySize,
                                               int maxLength) {
        List<String[]> merges = train(corpus, vocabularySize);
        TokenizerWriter.write(folder, merges, "!", maxLength);
        return merges;
    }

    private static List<Word> countWords(Iterable<String> corpus) {
        // Sorted, so that the pair counts are accumulated in the same order on every run.
        Map<String, Long> counts = new TreeMap<>();
        for (String text : corpus) {
            for (String word : ClipWords.split(text)) {
                counts.merge(word, 1L, Long::sum);
            }
        }
        List<Word> words = new ArrayList<>(counts.size());
        counts.forEach((word, count) -> words.add(new Word(ClipWords.initialSymbols(word), count)));
        return words;
    }

    private static Map<Pair, Long> countPairs(List<Word> words) {
        Map<Pair, Long> pairs = new TreeMap<>();
        for (Word w : words) {
            for (int i = 0; i + 1 < w.symbols.size(); i++) {
                pairs.merge(new Pair(w.symbols.get(i), w.symbols.get(i + 1)), w.count, Long::sum);
            }
        }
        return pairs;
    }

    /** Every non-overlapping occurrence of the pair, leftmost first, becomes one symbol (as the tokenizer merges). */
    private static List<String> mergeAll(List<String> symbols, Pair pair) {
        List<String> merged = new ArrayList<>(symbols.size());
        int i = 0;
        while (i < symbols.size()) {
            if (i + 1 < symbols.size() && symbols.get(i).equals(pair.left()) && symbols.get(i + 1).equals(pair.right())) {
                merged.add(pair.left() + pair.right());
                i += 2;
            } else {
                merged.add(symbols.get(i));
                i++;
            }
        }
        return merged;
    }
}
