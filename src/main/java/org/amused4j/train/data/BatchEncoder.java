package org.amused4j.train.data;

import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.ClipTextOutput;
import org.amused4j.text.ClipTokenizer;
import org.amused4j.vq.VqModel;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns sampled examples into the transformer's training inputs through the frozen encoders, remembering what they
 * produced so that later epochs skip them.
 *
 * <p>The cache: VQ tokens are keyed by (example, crop), because the script crops at random every epoch and the
 * tokens of different crops differ; an image whose resized size equals the resolution (or the single-image set-up)
 * has one crop, so from the second epoch on it never runs the VQ encoder again, and other images hit the cache once
 * a crop repeats. (Precomputing one centre crop per image would make every epoch a hit but change the data the
 * script trains on, so it is not done.) Text embeddings are keyed by caption. Both live in memory: 4 bytes per token
 * and 4·77·(width + 1) bytes per caption (about 240 KB for the real CLIP), which suits fine-tuning sets of
 * hundreds to a few thousand images.
 */
public final class BatchEncoder {
    /** The transformer inputs of one batch, before masking. */
    public record Encoded(int[] tokens, int gridHeight, int gridWidth, Tensor encoderHiddenStates,
                          Tensor pooledTextEmb, Tensor microConds) {
        public int batch() {
            return microConds.dim(0);
        }
    }

    /** One caption's CLIP outputs: penultimate hidden states [1, 77, D] and the projected pooled embedding [1, P]. */
    public record TextEmbedding(Tensor hiddenStates, Tensor pooled) {
    }

    private record CropKey(int item, int top, int left) {
    }

    private final TrainingData data;
    private final int resolution;
    private final VqModel vq;
    private final ClipTokenizer tokenizer;
    private final ClipTextEncoder textEncoder;
    private final Map<CropKey, int[]> tokens = new HashMap<>();
    private final Map<String, TextEmbedding> texts = new HashMap<>();
    private int vqEncodes;

    public BatchEncoder(TrainingData data, int resolution, VqModel vq, ClipTokenizer tokenizer,
                        ClipTextEncoder textEncoder) {
        this.data = data;
        this.resolution = resolution;
        this.vq = vq;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
    }

    public Encoded encode(List<BatchSampler.Sample> samples) {
        int batch = samples.size();
        int grid = resolution / vq.config().downsampleFactor();
        int perImage = grid * grid;
        int[] ids = new int[batch * perImage];
        float[] micro = new float[batch * 5];
        TextEmbedding[] text = new TextEmbedding[batch];
        for (int b = 0; b < batch; b++) {
            BatchSampler.Sample s = samples.get(b);
            TrainingData.Item item = data.items().get(s.item());
            System.arraycopy(tokens(s, item), 0, ids, b * perImage, perImage);
            System.arraycopy(TrainingImages.microConds(item.width(), item.height(), s.crop()), 0, micro, b * 5, 5);
            text[b] = text(item.example().caption());
        }
        return new Encoded(ids, grid, grid, stack(text, true), stack(text, false), Tensor.of(micro, batch, 5));
    }

    /** The CLIP conditioning of {@code caption} (the empty caption is the conditioning dropout's). */
    public TextEmbedding text(String caption) {
        return texts.computeIfAbsent(caption, c -> {
            ClipTextOutput out = textEncoder.forward(tokenizer.encode(List.of(c)));
            return new TextEmbedding(out.penultimate(), out.textEmbeds());
        });
    }

    /** How many images went through the VQ encoder so far (the rest came from the cache). */
    public int vqEncodes() {
        return vqEncodes;
    }

    private int[] tokens(BatchSampler.Sample s, TrainingData.Item item) {
        return tokens.computeIfAbsent(new CropKey(s.item(), s.crop().top(), s.crop().left()), k -> {
            vqEncodes++;
            Tensor pixels = TrainingImages.cropTensor(TrainingImages.loadRgb(item.example().image()), resolution,
                    s.crop());
            return vq.quantize(vq.encode(pixels));
        });
    }

    private static Tensor stack(TextEmbedding[] rows, boolean hidden) {
        Tensor first = hidden ? rows[0].hiddenStates() : rows[0].pooled();
        int[] shape = first.shape();
        shape[0] = rows.length;
        float[] out = new float[first.size() * rows.length];
        for (int b = 0; b < rows.length; b++) {
            Tensor t = hidden ? rows[b].hiddenStates() : rows[b].pooled();
            System.arraycopy(t.data(), 0, out, b * first.size(), first.size());
        }
        return Tensor.of(out, shape);
    }
}
