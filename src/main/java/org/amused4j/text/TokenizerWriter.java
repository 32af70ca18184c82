package org.amused4j.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.io.AtomicFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a CLIP-format tokenizer folder ({@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json},
 * {@code special_tokens_map.json}) for a list of BPE merges. The vocabulary is built the way CLIP's is: the 256
 * byte characters, the same with {@code </w>}, one entry per merge (in merge order), then BOS and EOS — so the
 * EOS id is the largest, which the text encoder's argmax pooling relies on. With no merges this is a byte-level
 * tokenizer of 514 entries (used by the benchmark's synthetic models).
 */
public final class TokenizerWriter {
    public static final String BOS = "<|startoftext|>";
    public static final String EOS = "<|endoftext|>";
    /** CLIP's prompt length. */
    public static final int CLIP_MAX_LENGTH = 77;

    private TokenizerWriter() {
    }

    /**
     * @param merges pairs of symbols, highest priority first
     * @param pad    the padding token: "!" as the released aMUSEd tokenizer, or {@link #EOS}
     */
    public static void write(Path folder, List<String[]> merges, String pad) {
        write(folder, merges, pad, CLIP_MAX_LENGTH);
    }

    /**
     * {@link #write(Path, List, String)} with another {@code model_max_length}: the length every prompt is padded or
     * truncated to, which must match the text encoder's {@code max_position_embeddings}.
     */
    public static void write(Path folder, List<String[]> merges, String pad, int maxLength) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        // CLIP's id order: the byte characters sorted by code point (printable bytes, which map to themselves,
        // before the remapped ones from U+0100), so "!" is id 0.
        char[] bytes = ByteLevelBpe.byteToUnicode();
        Arrays.sort(bytes);
        for (char c : bytes) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        for (char c : bytes) {
            vocab.put(c + ByteLevelBpe.END_OF_WORD, vocab.size());
        }
        StringBuilder mergesText = new StringBuilder("#version: 0.2\n");
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
            mergesText.append(m[0]).append(' ').append(m[1]).append('\n');
        }
        vocab.put(BOS, vocab.size());
        vocab.put(EOS, vocab.size());

        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode();
        config.put("bos_token", BOS);
        config.put("eos_token", EOS);
        config.put("unk_token", EOS);
        config.put("pad_token", pad);
        config.put("model_max_length", maxLength);
        config.put("do_lower_case", true);
        config.put("tokenizer_class", "CLIPTokenizer");
        ObjectNode special = json.createObjectNode();
        special.put("bos_token", BOS);
        special.put("eos_token", EOS);
        special.put("unk_token", EOS);
        special.put("pad_token", pad);

        AtomicFiles.write(folder.resolve("vocab.json"), "vocabulary", out -> json.writeValue(out, vocab));
        AtomicFiles.write(folder.resolve("merges.txt"), "merges",
                out -> out.write(mergesText.toString().getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.write(folder.resolve("tokenizer_config.json"), "tokenizer config",
                out -> json.writerWithDefaultPrettyPrinter().writeValue(out, config));
        AtomicFiles.write(folder.resolve("special_tokens_map.json"), "special tokens map",
                out -> json.writerWithDefaultPrettyPrinter().writeValue(out, special));
    }
}
