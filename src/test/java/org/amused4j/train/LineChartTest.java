package org.amused4j.train;

import org.amused4j.image.ByteImage;
import org.amused4j.image.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LineChartTest {
    @Test
    void drawsEverySeriesAndSkipsWhatALogAxisCannotShow(@TempDir Path dir) {
        Path png = dir.resolve("loss.png");
        new LineChart("loss", "step", true)
                .add("train", new double[] {1, 2, 3, 4}, new double[] {1, 0.5, Double.NaN, 0.1})
                .add("other", new double[] {1, 4}, new double[] {0, 0.2})
                .writePng(png);
        ByteImage image = ImageFiles.read(png).toRgb();
        assertThat(image.width()).isEqualTo(720);
        assertThat(image.height()).isEqualTo(400);
        boolean blue = false;
        boolean red = false;
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                blue |= image.get(x, y, 2) > 150 && image.get(x, y, 0) < 60;
                red |= image.get(x, y, 0) > 190 && image.get(x, y, 1) < 60;
            }
        }
        assertThat(blue).as("the first series' colour").isTrue();
        assertThat(red).as("the second series' colour").isTrue();
    }

    @Test
    void mismatchedSeriesAreRefused() {
        assertThatThrownBy(() -> new LineChart("t", "x", false).add("s", new double[2], new double[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
