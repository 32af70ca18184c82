package org.amused4j.text;

import org.amused4j.golden.Golden;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The tokenizer folders of the golden model directories, discovered from the files present. */
final class TokenizerFolders {
    private TokenizerFolders() {
    }

    static List<Path> all() {
        try (Stream<Path> models = Files.list(Golden.dir().resolve("models"))) {
            List<Path> found = models.map(m -> m.resolve("tokenizer"))
                    .filter(t -> Files.isRegularFile(t.resolve("vocab.json")))
                    .sorted()
                    .toList();
            if (found.isEmpty()) {
                throw new AssertionError("no models/*/tokenizer folder in " + Golden.dir());
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loaded once per JVM: the vocabulary and merges take a moment to read. */
    static ClipTokenizer first() {
        return Holder.FIRST;
    }

    private static final class Holder {
        static final ClipTokenizer FIRST = ClipTokenizer.load(all().get(0));
    }
}
