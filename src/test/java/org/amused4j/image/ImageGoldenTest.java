package org.amused4j.image;

import org.amused4j.golden.UsesGolden;
import org.amused4j.golden.Golden;
import org.amused4j.golden.GoldenCase;
import org.amused4j.io.SafeTensors;
import org.amused4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image input and output against the golden files: PNG decoding, byte/255 tensors, the inpainting mask's resize
 * and threshold, and the float -> uint8 rounding of the pipelines' outputs. Every case that holds the tensors runs.
 */
@UsesGolden
@Tag("parity")
class ImageGoldenTest {

    @TestFactory
    Stream<DynamicTest> goldenImages() {
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : Golden.cases("pipeline")) {
            try (SafeTensors st = c.open()) {
                if (st.contains("mask_image_uint8")) {
                    tests.add(DynamicTest.dynamicTest(c.name() + " mask", () -> inpaintMask(c)));
                }
                if (st.contains("preprocessed_image")) {
                    tests.add(DynamicTest.dynamicTest(c.name() + " input image", () -> inputImage(c)));
                }
            }
            tests.add(DynamicTest.dynamicTest(c.name() + " output", () -> outputImages(c)));
        }
        for (GoldenCase c : Golden.cases("vq")) {
            tests.add(DynamicTest.dynamicTest(c.name() + " input image", () -> vqInput(c)));
        }
        return tests.stream();
    }

    private static void inpaintMask(GoldenCase c) {
        DecodedImage mask = ImageFiles.read(c.resolve(c.name() + "_mask.png"));
        assertThat(bytes(mask.toGray())).as("mask PNG pixels").containsExactly(ints(c.longs("mask_image_uint8")));
        try (SafeTensors st = c.open()) {
            int[] shape = st.info("latent_mask").shape();
            boolean[] tokens = PipelineImages.tokenMask(mask, shape[2], shape[1]);
            long[] expected = st.loadLongs("latent_mask");
            for (int i = 0; i < expected.length; i++) {
                assertThat(tokens[i]).as("latent_mask[%d]", i).isEqualTo(expected[i] == 1);
            }
        }
    }

    private static void inputImage(GoldenCase c) {
        DecodedImage image = ImageFiles.read(c.resolve(c.name() + "_image.png"));
        assertThat(bytes(image.toRgb())).as("input PNG pixels").containsExactly(ints(c.longs("input_image_uint8")));
        try (SafeTensors st = c.open()) {
            int[] tokenShape = st.info("encoded_tokens").shape();
            int factor = image.height() / tokenShape[1];
            Tensor expected = st.load("preprocessed_image");
            Tensor actual = PipelineImages.inputTensor(image, factor);
            assertThat(actual.shape()).containsExactly(expected.shape());
            assertThat(actual.data()).as("preprocessed_image (uint8 / 255 exactly)").containsExactly(expected.data());
        }
    }

    private static void outputImages(GoldenCase c) {
        Tensor nhwc = c.tensor("image_float");
        int[] expected = ints(c.longs("image_uint8"));
        int b = nhwc.dim(0);
        int h = nhwc.dim(1);
        int w = nhwc.dim(2);
        Tensor nchw = toNchw(nhwc);
        int per = h * w * 3;
        for (int i = 0; i < b; i++) {
            int[] want = Arrays.copyOfRange(expected, i * per, (i + 1) * per);
            assertThat(bytes(PipelineImages.toByteImage(nchw, i))).as("image_uint8[%d] from image_float", i)
                    .containsExactly(want);
            Path png = c.resolve(c.name() + "_out" + i + ".png");
            if (Files.exists(png)) {
                assertThat(bytes(ImageFiles.read(png).toRgb())).as("%s pixels", png.getFileName())
                        .containsExactly(want);
            }
        }
    }

    private static void vqInput(GoldenCase c) {
        ByteImage rgb = ImageFiles.read(c.resolve(c.name() + "_input.png")).toRgb();
        Tensor expected = c.tensor("image");
        assertThat(PipelineImages.toTensor(rgb).data()).as("image = uint8 / 255").containsExactly(expected.data());
    }

    private static Tensor toNchw(Tensor nhwc) {
        int b = nhwc.dim(0);
        int h = nhwc.dim(1);
        int w = nhwc.dim(2);
        int ch = nhwc.dim(3);
        Tensor out = Tensor.zeros(b, ch, h, w);
        for (int i = 0; i < b; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < ch; c++) {
                        out.set(nhwc.get(i, y, x, c), i, c, y, x);
                    }
                }
            }
        }
        return out;
    }

    private static int[] bytes(ByteImage image) {
        int[] out = new int[image.pixels().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.pixels()[i] & 0xff;
        }
        return out;
    }

    private static int[] ints(long[] longs) {
        int[] out = new int[longs.length];
        for (int i = 0; i < longs.length; i++) {
            out[i] = (int) longs[i];
        }
        return out;
    }
}
