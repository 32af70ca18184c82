package org.amused4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bit-exact agreement with Pillow: resizes (Lanczos, its nearest fallback for palette/bilevel images, premultiplied
 * alpha), grey and RGB conversions, on the fixtures {@code make_pillow_fixtures.py} wrote with a real Pillow.
 */
class PillowFixturesTest {

    @TestFactory
    Stream<DynamicTest> matchesPillow() throws Exception {
        Path dir = Path.of(PillowFixturesTest.class.getResource("make_pillow_fixtures.py").toURI()).getParent();
        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("pillow/manifest.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : manifest.path("cases")) {
            String name = c.path("op").asText() + " " + c.path("expected").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> check(dir, c)));
        }
        assertThat(tests).hasSizeGreaterThan(10);
        return tests.stream();
    }

    private static void check(Path dir, JsonNode c) {
        DecodedImage input = ImageFiles.read(dir.resolve(c.path("input").asText()));
        ByteImage expected = ImageFiles.read(dir.resolve(c.path("expected").asText())).pixels();
        int w = c.path("width").asInt();
        int h = c.path("height").asInt();
        ByteImage actual = switch (c.path("op").asText()) {
            case "resize" -> input.resize(w, h).pixels();
            case "resize_then_gray" -> input.resize(w, h).toGray();
            case "to_rgb" -> input.toRgb();
            default -> throw new AssertionError("unknown fixture op " + c.path("op"));
        };
        assertThat(actual.width()).isEqualTo(expected.width());
        assertThat(actual.height()).isEqualTo(expected.height());
        assertThat(actual.channels()).isEqualTo(expected.channels());
        byte[] a = actual.pixels();
        byte[] e = expected.pixels();
        for (int i = 0; i < e.length; i++) {
            if (a[i] != e[i]) {
                int px = i / expected.channels();
                throw new AssertionError(String.format("pixel (%d, %d) channel %d: %d, Pillow %d",
                        px % expected.width(), px / expected.width(), i % expected.channels(), a[i] & 0xff,
                        e[i] & 0xff));
            }
        }
    }
}
