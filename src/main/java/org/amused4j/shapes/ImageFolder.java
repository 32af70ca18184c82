package org.amused4j.shapes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.amused4j.io.AtomicFiles;
import org.amused4j.kernels.Parallel;
import org.amused4j.tensor.AmusedException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Captioned images in Hugging Face's "imagefolder" layout: image files plus {@code metadata.jsonl} with one
 * {@code {"file_name": ..., "text": ...}} object per line. Written PNGs also carry their caption as a "prompt"
 * text chunk, like the images {@code amused generate} writes, so each file describes itself.
 */
public final class ImageFolder {
    public static final String METADATA = "metadata.jsonl";
    /** The PNG text chunk holding an image's prompt. */
    public static final String PROMPT_KEY = "prompt";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageFolder() {
    }

    /** An image file and its caption. */
    public record CaptionedImage(Path file, String caption) {
    }

    /** The PNG name of the {@code index}-th image: zero-padded, so names sort in dataset order. */
    public static String fileName(int index) {
        return String.format("%06d.png", index);
    }

    /**
     * Draws the scenes into {@code dir} (created if missing) as {@code 000000.png, 000001.png, ...} and writes
     * {@code metadata.jsonl} last, so an interrupted run leaves no metadata describing missing images.
     */
    public static void write(Path dir, List<ShapeScene> scenes) {
        write(dir, scenes.size(), i -> scenes.get(i).render(), i -> scenes.get(i).caption().text());
    }

    /** {@link #write(Path, List)} for any images: image i is {@code image.apply(i)}, captioned {@code caption}. */
    public static void write(Path dir, int count, IntFunction<ByteImage> image, IntFunction<String> caption) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot create the folder (" + e.getMessage() + ")", e);
        }
        // Each PNG is synced to disk on its own (AtomicFiles), so writing them in parallel mostly overlaps waits.
        Parallel.forEach(count, i -> ImageFiles.writePng(dir.resolve(fileName(i)), image.apply(i),
                Map.of(PROMPT_KEY, caption.apply(i))));
        StringBuilder metadata = new StringBuilder();
        for (int i = 0; i < count; i++) {
            ObjectNode line = JSON.createObjectNode();
            line.put("file_name", fileName(i));
            line.put("text", caption.apply(i));
            metadata.append(line).append('\n');
        }
        byte[] bytes = metadata.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(METADATA), "image metadata", out -> out.write(bytes));
    }

    /**
     * The captioned images of a folder: the entries of its {@code metadata.jsonl} in file order when it has one,
     * else every PNG file in name order with the caption from its "prompt" text chunk.
     *
     * @throws AmusedException naming the file when the folder, a metadata line or a caption is missing or malformed
     */
    public static List<CaptionedImage> read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new AmusedException(dir + ": image folder not found");
        }
        Path metadata = dir.resolve(METADATA);
        return Files.isRegularFile(metadata) ? readMetadata(dir, metadata) : readPngPrompts(dir);
    }

    private static List<CaptionedImage> readMetadata(Path dir, Path metadata) {
        List<String> lines;
        try {
            lines = Files.readAllLines(metadata, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AmusedException(metadata + ": cannot read (" + e.getMessage() + ")", e);
        }
        List<CaptionedImage> images = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = metadata + " line " + (i + 1);
            JsonNode entry;
            try {
                entry = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new AmusedException(where + ": not a JSON object (" + e.getOriginalMessage() + ")", e);
            }
            images.add(new CaptionedImage(dir.resolve(textField(entry, "file_name", where)),
                    textField(entry, "text", where)));
        }
        return images;
    }

    private static String textField(JsonNode entry, String key, String where) {
        JsonNode value = entry == null ? null : entry.get(key);
        if (value == null || !value.isTextual()) {
            throw new AmusedException(where + ": needs a string \"" + key + "\"");
        }
        return value.asText();
    }

    private static List<CaptionedImage> readPngPrompts(Path dir) {
        List<Path> pngs;
        try (Stream<Path> files = Files.list(dir)) {
            pngs = files.filter(f -> f.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png"))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot list the folder (" + e.getMessage() + ")", e);
        }
        if (pngs.isEmpty()) {
            throw new AmusedException(dir + ": has neither " + METADATA + " nor PNG images");
        }
        List<CaptionedImage> images = new ArrayList<>();
        for (Path png : pngs) {
            String prompt = ImageFiles.readPngText(png).get(PROMPT_KEY);
            if (prompt == null) {
                throw new AmusedException(png + ": has no \"" + PROMPT_KEY + "\" text chunk, and the folder has no "
                        + METADATA + " giving its caption");
            }
            images.add(new CaptionedImage(png, prompt));
        }
        return images;
    }
}
