package org.amused4j.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE (spec 03 §4, §5.3–5.4): a pre-token's UTF-8 bytes become printable "byte characters",
 * {@code </w>} is attached to the last one, and the adjacent pair with the lowest merge rank is merged until
 * no ranked pair remains. Results are cached; the cache is thread-safe and bounded (it is emptied when full,
 * which keeps memory flat for services that see endless distinct words).
 */
final class ByteLevelBpe {
    static final String END_OF_WORD = "</w>";
    private static final int CACHE_LIMIT = 100_000;
    private static final char[] BYTE_CHARS = byteToUnicode();

    /** Rank of each merge, keyed by the merges.txt line "left right". */
    private final Map<String, Integer> ranks;
    private final Map<String, List<String>> atomic;
    private final ConcurrentHashMap<String, List<String>> cache = new ConcurrentHashMap<>();

    /**
     * @param ranks        merge ranks keyed "left right"
     * @param atomicTokens words that are vocabulary entries as they are, never split (the BOS/EOS strings,
     *                     which OpenAI's tokenizer pre-seeds its BPE cache with)
     */
    ByteLevelBpe(Map<String, Integer> ranks, List<String> atomicTokens) {
        this.ranks = Map.copyOf(ranks);
        Map<String, List<String>> seeds = new HashMap<>();
        for (String t : atomicTokens) {
            seeds.put(toByteChars(t), List.of(t));
        }
        this.atomic = Map.copyOf(seeds);
    }

    /**
     * The 256-entry byte → character table: printable bytes map to themselves, the other 68 (in increasing
     * byte order) to U+0100, U+0101, ... (spec 03 §4). Sorted by character it gives CLIP's vocabulary ids 0–255.
     */
    static char[] byteToUnicode() {
        char[] table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
            table[b] = (char) (printable ? b : next++);
        }
        return table;
    }

    /** The subword strings of one pre-token (raw text, before the byte mapping). */
    List<String> encode(String preToken) {
        String word = toByteChars(preToken);
        List<String> seeded = atomic.get(word);
        if (seeded != null) {
            return seeded;
        }
        List<String> cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        List<String> result = merge(word);
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(word, result);
        return result;
    }

    static String toByteChars(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_CHARS[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** One symbol per byte character of a (non-empty) word, {@code </w>} attached to the last. */
    static List<String> initialSymbols(String byteChars) {
        List<String> symbols = new ArrayList<>(byteChars.length());
        for (int i = 0; i < byteChars.length() - 1; i++) {
            symbols.add(String.valueOf(byteChars.charAt(i)));
        }
        symbols.add(byteChars.charAt(byteChars.length() - 1) + END_OF_WORD);
        return symbols;
    }

    private List<String> merge(String word) {
        List<String> symbols = initialSymbols(word);
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String bestLeft = null;
            String bestRight = null;
            for (int j = 0; j + 1 < symbols.size(); j++) {
                Integer rank = ranks.get(symbols.get(j) + " " + symbols.get(j + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    bestLeft = symbols.get(j);
                    bestRight = symbols.get(j + 1);
                }
            }
            if (bestLeft == null) {
                break;
            }
            symbols = mergeAll(symbols, bestLeft, bestRight);
        }
        return List.copyOf(symbols);
    }

    /** Every non-overlapping occurrence of the pair, leftmost first, becomes one symbol. */
    private static List<String> mergeAll(List<String> symbols, String left, String right) {
        List<String> merged = new ArrayList<>(symbols.size());
        int j = 0;
        while (j < symbols.size()) {
            if (j + 1 < symbols.size() && symbols.get(j).equals(left) && symbols.get(j + 1).equals(right)) {
                merged.add(left + right);
                j += 2;
            } else {
                merged.add(symbols.get(j));
                j++;
            }
        }
        return merged;
    }
}
