package org.amused4j.train.data;

import java.nio.file.Path;

/** One image file and its caption. */
public record TrainingExample(Path image, String caption) {
}
