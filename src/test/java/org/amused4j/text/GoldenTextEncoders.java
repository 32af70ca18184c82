package org.amused4j.text;

import org.amused4j.io.FileWeights;

import java.nio.file.Path;

/** Loading what the text-encoder golden cases need: the model of a case and its id rows. */
final class GoldenTextEncoders {
    private GoldenTextEncoders() {
    }

    /** The encoder of a golden text_encoder folder; the file must hold exactly the tensors the config implies. */
    static ClipTextEncoder load(Path modelDir) {
        try (FileWeights weights = FileWeights.open(modelDir.resolve("model.safetensors"))) {
            ClipTextEncoder encoder = new ClipTextEncoder(ClipTextConfig.read(modelDir.resolve("config.json")), weights);
            weights.checkAllUsed();
            return encoder;
        }
    }

    /** Flat int64 ids [n·len] as n rows. */
    static int[][] rows(long[] flat, int n) {
        int len = flat.length / n;
        int[][] rows = new int[n][len];
        for (int i = 0; i < flat.length; i++) {
            rows[i / len][i % len] = Math.toIntExact(flat[i]);
        }
        return rows;
    }
}
