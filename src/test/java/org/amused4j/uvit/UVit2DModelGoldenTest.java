package org.amused4j.uvit;

import org.amused4j.golden.UsesGolden;
import com.fasterxml.jackson.databind.JsonNode;
import org.amused4j.golden.Approx;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parity with diffusers' UVit2DModel on every {@code transformer_*} golden case: every recorded
 * intermediate and the logits within the sidecar's suggested tolerance, plus the logits computed from the
 * fp16/bf16 weight variant files where the case records them.
 */
@UsesGolden
@Tag("parity")
class UVit2DModelGoldenTest {
    /** Golden tensors that are model inputs or variant outputs rather than intermediates of the float32 forward. */
    private static final List<String> NOT_INTERMEDIATES = List.of("input_ids", "encoder_hidden_states",
            "pooled_text_emb", "micro_conds");
    private static final List<String> VARIANTS = List.of("fp16", "bf16");

    @TestFactory
    Stream<DynamicTest> everyRecordedIntermediateAndTheLogitsMatch() {
        return Golden.cases("transformer").stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Map<String, Tensor> traced = new LinkedHashMap<>();
            Tensor logits = run(c, UVit2DModel.load(modelFolder(c)), traced::put);

            List<String> expected = recordedIntermediates(c);
            assertThat(expected).as("intermediates recorded in " + c.name()).contains("logits");
            assertThat(traced.keySet()).as("traced intermediates").containsAll(expected);
            // In forward order, so that the first failure points at the first module that diverges.
            for (String name : traced.keySet().stream().filter(expected::contains).toList()) {
                Approx.assertClose(c.name() + "/" + name, c.tensor(name), traced.get(name), c.atol(name));
            }
            Approx.assertClose(c.name() + "/logits (returned)", c.tensor("logits"), logits, c.atol("logits"));
        }));
    }

    @TestFactory
    Stream<DynamicTest> logitsFromHalfPrecisionWeightFilesMatch() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : Golden.cases("transformer")) {
            for (String variant : VARIANTS) {
                String tensor = "logits_" + variant + "_weights";
                if (!c.json().path("tensors").has(tensor)) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(c.name() + "/" + variant, () -> {
                    Path folder = modelFolder(c);
                    assertThat(folder.resolve(UVit2DModel.WEIGHTS_FILE + "." + variant + ".safetensors"))
                            .as("the case records " + tensor + ", so its model folder must hold the variant file")
                            .isRegularFile();
                    Tensor logits = run(c, UVit2DModel.load(folder, variant), Trace.NONE);
                    // The variant runs in float32 like the main one, so the logits tolerance applies.
                    Approx.assertClose(c.name() + "/" + tensor, c.tensor(tensor), logits, c.atol("logits"));
                }));
            }
        }
        return tests.stream();
    }

    private static Path modelFolder(GoldenCase c) {
        Path folder = c.resolve(c.json().path("model").asText());
        assertThat(Files.isDirectory(folder)).as(c.name() + " model folder " + folder).isTrue();
        return folder;
    }

    private static List<String> recordedIntermediates(GoldenCase c) {
        List<String> names = new ArrayList<>();
        c.json().path("tensors").fieldNames().forEachRemaining(name -> {
            if (!NOT_INTERMEDIATES.contains(name) && !name.matches("logits_.+_weights")) {
                names.add(name);
            }
        });
        return names;
    }

    private static Tensor run(GoldenCase c, UVit2DModel model, Trace trace) {
        JsonNode gridShape = c.json().path("tensors").path("input_ids").path("shape");
        long[] raw = c.longs("input_ids");
        int[] inputIds = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            inputIds[i] = Math.toIntExact(raw[i]);
        }
        return model.forward(inputIds, gridShape.get(1).asInt(), gridShape.get(2).asInt(), c.tensor("encoder_hidden_states"),
                c.tensor("pooled_text_emb"), c.tensor("micro_conds"), trace);
    }
}
