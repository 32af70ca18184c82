package org.amused4j.golden;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Locates the golden reference directory and discovers its cases.
 *
 * <p>The directory comes from {@code -Damused.golden=DIR}, else {@code AMUSED_GOLDEN}, else
 * {@code ../shared/golden}. When it is absent the calling test is skipped with the reason, except under
 * {@code CI=true}, where a missing directory is a failure.
 */
public final class Golden {
    private Golden() {
    }

    public static Path dir() {
        Path dir = configured();
        if (!Files.isDirectory(dir)) {
            String reason = missingReason();
            if (isCi()) {
                throw new AssertionError(reason + "; under CI=true the parity suite must run");
            }
            Assumptions.abort(reason);
        }
        return dir;
    }

    /** Why the golden directory cannot be used, or null when it is there. */
    static String missingReason() {
        Path dir = configured();
        return Files.isDirectory(dir) ? null
                : "golden directory " + dir + " not found (set -Damused.golden=DIR or AMUSED_GOLDEN)";
    }

    static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static Path configured() {
        String prop = System.getProperty("amused.golden");
        String env = System.getenv("AMUSED_GOLDEN");
        return Path.of(prop != null && !prop.isBlank() ? prop
                : env != null && !env.isBlank() ? env : "../shared/golden").toAbsolutePath().normalize();
    }

    /**
     * The cases of one kind, discovered from the files present: every {@code <kind>.safetensors} or
     * {@code <kind>_<id>.safetensors} that has a JSON sidecar of the same name. Sorted by name. Under CI
     * an empty list is a failure.
     */
    public static List<GoldenCase> cases(String kind) {
        Path dir = dir();
        Pattern name = Pattern.compile(Pattern.quote(kind) + "(_[A-Za-z0-9]+)*\\.safetensors");
        List<GoldenCase> found;
        try (Stream<Path> files = Files.list(dir)) {
            found = files.filter(p -> name.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(sidecar(p)))
                    .sorted()
                    .map(p -> new GoldenCase(dir, p))
                    .toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + dir, e);
        }
        if (found.isEmpty()) {
            String reason = "no " + kind + "_* cases in " + dir;
            if (isCi()) {
                throw new AssertionError(reason);
            }
            Assumptions.abort(reason);
        }
        return found;
    }

    static Path sidecar(Path safetensors) {
        String f = safetensors.getFileName().toString();
        return safetensors.resolveSibling(f.substring(0, f.length() - ".safetensors".length()) + ".json");
    }
}
