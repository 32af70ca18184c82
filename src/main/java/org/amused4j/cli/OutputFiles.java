package org.amused4j.cli;

import org.amused4j.tensor.AmusedException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the images of one run go, decided before any work starts so that a bad path fails in a second rather
 * than after the generation. {@code --output} is a folder (existing, or written with a trailing slash) or a
 * file name; several images from one file name get {@code -0}, {@code -1}, ... before the extension.
 * Existing files are never replaced without {@code --force}.
 */
final class OutputFiles {
    private OutputFiles() {
    }

    static List<Path> plan(String output, int count, long seed, boolean force) {
        Path base;
        boolean folder;
        if (output == null) {
            base = Path.of("amused-" + seed + ".png");
            folder = false;
        } else {
            base = Path.of(output);
            folder = Files.isDirectory(base) || output.endsWith("/") || output.endsWith(java.io.File.separator);
        }
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (folder) {
                files.add(base.resolve("amused-" + seed + (count > 1 ? "-" + i : "") + ".png"));
            } else {
                files.add(count > 1 ? numbered(base, i) : base);
            }
        }
        if (folder && !Files.exists(base)) {
            return files; // a new folder (trailing slash): created when the images are written
        }
        for (Path f : files) {
            Path parent = f.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new AmusedException(parent + ": output folder does not exist");
            }
            if (Files.isDirectory(f)) {
                throw new AmusedException(f + ": is a folder, not an image file");
            }
            if (Files.exists(f) && !force) {
                throw new AmusedException(f + ": already exists (use --force to overwrite)");
            }
        }
        return files;
    }

    private static Path numbered(Path file, int index) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + index + name.substring(dot)
                : name + "-" + index + ".png";
        return file.resolveSibling(numbered);
    }
}
