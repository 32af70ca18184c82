package org.amused4j.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.amused4j.image.ByteImage;
import org.amused4j.tensor.AmusedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The images to train on, with captions and their upright sizes, checked before training starts: every image is
 * decoded once here, so unreadable files and missing captions are reported (by file name) up front and skipped or
 * fatal per {@link MissingDataPolicy} — never silently dropped.
 *
 * <p>A folder is read either from a Hugging Face imagefolder {@value #METADATA} (one JSON object per line with
 * {@code file_name} and {@code text}) or, without one, from every image file with a {@code .txt} caption of the same
 * stem beside it. A single image with a prompt is the StyleDrop set-up.
 */
public final class TrainingData {
    public static final String METADATA = "metadata.jsonl";
    private static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    /** An example with the size of its upright image (what the micro-conditions report). */
    public record Item(TrainingExample example, int width, int height) {
    }

    private final List<Item> items;
    private final boolean singleImage;

    private TrainingData(List<Item> items, boolean singleImage) {
        if (items.isEmpty()) {
            throw new AmusedException("no usable training images");
        }
        this.items = List.copyOf(items);
        this.singleImage = singleImage;
    }

    /** One image and its prompt ({@code --instance_data_image}). */
    public static TrainingData singleImage(Path image, String prompt) {
        if (prompt == null || prompt.isBlank()) {
            throw new AmusedException(image + ": a single training image needs a prompt (--prompt)");
        }
        ByteImage rgb = TrainingImages.loadRgb(image);
        return new TrainingData(List.of(new Item(new TrainingExample(image, prompt), rgb.width(), rgb.height())),
                true);
    }

    /** The images of a folder with their captions; problems go to {@code report} and then {@code policy}. */
    public static TrainingData folder(Path dir, MissingDataPolicy policy, Consumer<String> report) {
        if (!Files.isDirectory(dir)) {
            throw new AmusedException(dir + ": training data folder not found");
        }
        List<String> problems = new ArrayList<>();
        List<TrainingExample> examples = Files.isRegularFile(dir.resolve(METADATA))
                ? fromMetadata(dir, problems) : fromSidecars(dir, problems);
        List<Item> items = new ArrayList<>();
        for (TrainingExample e : examples) {
            try {
                ByteImage rgb = TrainingImages.loadRgb(e.image());
                items.add(new Item(e, rgb.width(), rgb.height()));
            } catch (AmusedException ex) {
                problems.add(ex.getMessage());
            }
        }
        problems.forEach(p -> report.accept((policy == MissingDataPolicy.SKIP ? "skipped: " : "") + p));
        if (!problems.isEmpty() && policy == MissingDataPolicy.FAIL) {
            throw new AmusedException(problems.size() + " training file(s) unusable, first: " + problems.getFirst()
                    + " (--skip-bad-data trains on the rest)");
        }
        return new TrainingData(items, false);
    }

    private static List<TrainingExample> fromMetadata(Path dir, List<String> problems) {
        Path file = dir.resolve(METADATA);
        ObjectMapper json = new ObjectMapper();
        List<TrainingExample> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new AmusedException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (IOException e) {
                throw new AmusedException(file + " line " + (i + 1) + ": not JSON (" + e.getMessage() + ")", e);
            }
            JsonNode name = node.get("file_name");
            if (name == null || !name.isTextual()) {
                throw new AmusedException(file + " line " + (i + 1) + ": no \"file_name\"");
            }
            JsonNode text = node.get("text");
            Path image = dir.resolve(name.asText());
            if (text == null || !text.isTextual() || text.asText().isBlank()) {
                problems.add(image + ": no caption (\"text\") in " + METADATA + " line " + (i + 1));
            } else {
                out.add(new TrainingExample(image, text.asText()));
            }
        }
        return out;
    }

    private static List<TrainingExample> fromSidecars(Path dir, List<String> problems) {
        List<Path> images;
        try (Stream<Path> files = Files.list(dir)) {
            images = files.filter(TrainingData::isImageFile).sorted().toList();
        } catch (IOException e) {
            throw new AmusedException(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
        List<TrainingExample> out = new ArrayList<>();
        for (Path image : images) {
            String name = image.getFileName().toString();
            Path caption = image.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".txt");
            String text = null;
            try {
                text = Files.isRegularFile(caption) ? Files.readString(caption).strip() : null;
            } catch (IOException e) {
                problems.add(caption + ": cannot read caption (" + e.getMessage() + ")");
                continue;
            }
            if (text == null || text.isEmpty()) {
                problems.add(image + ": no caption (expected non-empty " + caption.getFileName() + " or a "
                        + METADATA + ")");
            } else {
                out.add(new TrainingExample(image, text));
            }
        }
        if (images.isEmpty()) {
            throw new AmusedException(dir + ": no images (" + String.join(", ", IMAGE_EXTENSIONS) + ") and no "
                    + METADATA);
        }
        return out;
    }

    private static boolean isImageFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    public List<Item> items() {
        return items;
    }

    public int size() {
        return items.size();
    }

    /** Whether this is the single-image set-up (its crop is drawn once and every batch repeats it). */
    public boolean isSingleImage() {
        return singleImage;
    }
}
