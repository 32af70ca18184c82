package org.amused4j.io;

import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("parity")
class SafeTensorsGoldenTest {
    @Test
    void readsEveryTensorOfEveryGoldenFileWithTheShapeItsSidecarDeclares() {
        for (String kind : new String[] {"tokenizer", "text_encoder", "transformer", "vq"}) {
            for (GoldenCase c : Golden.cases(kind)) {
                try (SafeTensors st = c.open()) {
                    assertThat(st.names()).as(c.name()).isNotEmpty();
                    c.json().path("tensors").properties().forEach(e -> {
                        TensorInfo info = st.info(e.getKey());
                        int[] declared = new int[e.getValue().path("shape").size()];
                        for (int i = 0; i < declared.length; i++) {
                            declared[i] = e.getValue().path("shape").get(i).asInt();
                        }
                        assertThat(info.shape()).as(c.name() + "/" + e.getKey()).isEqualTo(declared);
                    });
                }
            }
        }
    }
}
