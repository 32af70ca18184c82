package org.amused4j.train;

import org.amused4j.golden.GoldenCase;
import org.amused4j.io.SafeTensors;

/** The masked batch a {@code training_*} golden case records: token grids, labels and the conditioning. */
record GoldenBatch(int[] inputIds, int height, int width, int[] labels,
                   TransformerTrainingPass.Conditioning conditioning) {

    static GoldenBatch of(GoldenCase c) {
        try (SafeTensors st = c.open()) {
            int[] shape = st.info("input_ids").shape();
            return new GoldenBatch(st.loadInts("input_ids"), shape[1], shape[2], st.loadInts("labels"),
                    new TransformerTrainingPass.Conditioning(st.load("encoder_hidden_states"),
                            st.load("pooled_text_emb"), st.load("micro_conds")));
        }
    }

    TransformerTrainingPass.Result run(TransformerTrainingPass pass, boolean keepNamedGradients) {
        return pass.run(inputIds, height, width, labels, conditioning, keepNamedGradients);
    }
}
