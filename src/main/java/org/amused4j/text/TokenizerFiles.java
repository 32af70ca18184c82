package org.amused4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.tensor.AmusedException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The contents of a CLIP tokenizer folder (spec 03 §1, 01 §6): the vocabulary, the merge ranks and the special
 * tokens. Special tokens come from {@code tokenizer_config.json} with {@code special_tokens_map.json} taking
 * precedence (values are strings or {@code {"content": ...}} objects); when a file does not name one,
 * transformers' {@code CLIPTokenizer} defaults apply for BOS/EOS/UNK, and the pad token falls back to {@code !},
 * the released aMUSEd tokenizer's choice.
 */
final class TokenizerFiles {
    /** transformers and OpenAI keep at most this many merges: CLIP's 49152 BPE budget minus 256 bytes and 2 specials. */
    static final int MAX_MERGES = 49152 - 256 - 2;
    private static final int DEFAULT_MAX_LENGTH = 77;
    private static final double UNLIMITED_SENTINEL = 1e9;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A registered added token found in a prompt. */
    record AddedToken(String content, int id, int position) {
    }

    private final Path folder;
    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    private final String bos;
    private final String eos;
    private final int bosId;
    private final int eosId;
    private final int unkId;
    private final int padId;
    private final int maxLength;
    /** Added-token strings that are cut out of the raw prompt, with their ids. */
    private final Map<String, Integer> added;

    private TokenizerFiles(Path folder) {
        this.folder = folder;
        this.vocab = readVocab(folder.resolve("vocab.json"));
        this.mergeRanks = readMerges(folder.resolve("merges.txt"));
        JsonNode config = readOptionalJson(folder.resolve("tokenizer_config.json"));
        JsonNode map = readOptionalJson(folder.resolve("special_tokens_map.json"));

        Map<String, Integer> addedIds = new LinkedHashMap<>();
        config.path("added_tokens_decoder").properties().forEach(e -> {
            String content = e.getValue().path("content").asText(null);
            if (content != null && !content.isEmpty()) {
                addedIds.put(content, parseId(e.getKey()));
            }
        });
        this.bos = special(config, map, "bos_token", "<|startoftext|>");
        this.eos = special(config, map, "eos_token", "<|endoftext|>");
        String unk = special(config, map, "unk_token", "<|endoftext|>");
        String pad = special(config, map, "pad_token", "!");
        for (String s : List.of(bos, eos, unk, pad)) {
            addedIds.putIfAbsent(s, vocabId(s));
        }
        this.added = Map.copyOf(addedIds);
        this.bosId = added.get(bos);
        this.eosId = added.get(eos);
        this.unkId = added.get(unk);
        this.padId = added.get(pad);
        this.maxLength = maxLength(config);
    }

    static TokenizerFiles read(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new AmusedException(folder + ": tokenizer folder not found");
        }
        return new TokenizerFiles(folder);
    }

    String bos() {
        return bos;
    }

    String eos() {
        return eos;
    }

    int bosId() {
        return bosId;
    }

    int eosId() {
        return eosId;
    }

    int padId() {
        return padId;
    }

    int maxLength() {
        return maxLength;
    }

    Map<String, Integer> mergeRanks() {
        return mergeRanks;
    }

    /** The vocabulary id of a BPE subword; UNK when the vocabulary lacks it. */
    int idOf(String subword) {
        return vocab.getOrDefault(subword, unkId);
    }

    /** The leftmost added token at or after {@code from} (the longest one if several start there), or null. */
    AddedToken nextAddedToken(String text, int from) {
        AddedToken best = null;
        for (Map.Entry<String, Integer> e : added.entrySet()) {
            int at = text.indexOf(e.getKey(), from);
            if (at >= 0 && (best == null || at < best.position()
                    || (at == best.position() && e.getKey().length() > best.content().length()))) {
                best = new AddedToken(e.getKey(), e.getValue(), at);
            }
        }
        return best;
    }

    private int vocabId(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new AmusedException(folder.resolve("vocab.json") + ": special token '" + token
                    + "' is not in the vocabulary");
        }
        return id;
    }

    private int parseId(String key) {
        try {
            return Integer.parseInt(key);
        } catch (NumberFormatException e) {
            throw new AmusedException(folder.resolve("tokenizer_config.json") + ": added_tokens_decoder key '"
                    + key + "' is not an id");
        }
    }

    /** special_tokens_map.json wins over tokenizer_config.json; either may hold a string or {"content": ...}. */
    private static String special(JsonNode config, JsonNode map, String key, String fallback) {
        for (JsonNode source : List.of(map, config)) {
            JsonNode v = source.path(key);
            String text = v.isTextual() ? v.asText() : v.path("content").asText(null);
            if (text != null && !text.isEmpty()) {
                return text;
            }
        }
        return fallback;
    }

    private int maxLength(JsonNode config) {
        JsonNode v = config.path("model_max_length");
        if (v.isMissingNode() || v.isNull()) {
            return DEFAULT_MAX_LENGTH;
        }
        // transformers writes an enormous sentinel (1e30) for "no limit"; CLIP's 77 positions are the limit then.
        if (v.isNumber() && v.asDouble() > UNLIMITED_SENTINEL) {
            return DEFAULT_MAX_LENGTH;
        }
        if (!v.canConvertToInt() || v.asInt() < 3) {
            throw new AmusedException(folder.resolve("tokenizer_config.json") + ": model_max_length " + v
                    + " is not a usable length");
        }
        return v.asInt();
    }

    private static Map<String, Integer> readVocab(Path file) {
        JsonNode root = readJson(file);
        if (!root.isObject()) {
            throw new AmusedException(file + ": expected a JSON object of token -> id");
        }
        Map<String, Integer> vocab = new HashMap<>(root.size() * 2);
        root.properties().forEach(e -> {
            if (!e.getValue().canConvertToInt()) {
                throw new AmusedException(file + ": id of token '" + e.getKey() + "' is not an integer");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        });
        return Map.copyOf(vocab);
    }

    /** Rank = 0-based index among the merge lines after the header line, at most {@link #MAX_MERGES}. */
    private static Map<String, Integer> readMerges(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot read merges: " + e.getMessage(), e);
        }
        // Like transformers, a blank line still takes a rank (it just merges nothing); later duplicates win.
        Map<String, Integer> ranks = new HashMap<>(2 * Math.min(lines.size(), MAX_MERGES));
        for (int i = 1; i < lines.size() && i <= MAX_MERGES; i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] pair = line.split("\\s+");
            if (pair.length != 2) {
                throw new AmusedException(file + ": line " + (i + 1) + " is not a pair of symbols: '" + line + "'");
            }
            ranks.put(pair[0] + " " + pair[1], i - 1);
        }
        return Map.copyOf(ranks);
    }

    private static JsonNode readOptionalJson(Path file) {
        return Files.exists(file) ? readJson(file) : MAPPER.createObjectNode();
    }

    private static JsonNode readJson(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot read JSON: " + e.getMessage(), e);
        }
    }
}
