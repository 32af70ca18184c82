package org.amused4j.pipeline;

import org.amused4j.tensor.AmusedException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The model that ships with amused4j: {@code models/amused-shapes}, trained from nothing by {@code amused recipe}
 * (see that folder's README), packed into the jar under the same path.
 *
 * <p>The loaders memory-map weight files, which a jar entry is not: from a jar the folder is copied once into a
 * cache folder named after the hash of its file list ({@value #FILE_LIST}: one "size sha256 path" line per file,
 * written by the recipe), so a new model never reuses an old copy. Running from a classes folder (tests, IDE) the
 * folder is used in place.
 */
public final class EmbeddedModel {
    public static final String NAME = "amused-shapes";
    /** The list of the model's files, relative to its folder. */
    public static final String FILE_LIST = "files.txt";
    private static final String RESOURCE = "models/" + NAME + "/";

    private EmbeddedModel() {
    }

    /** The embedded model's folder, extracting it on first use; empty when this build carries none. */
    public static Optional<Path> locate() {
        return locate(EmbeddedModel.class.getClassLoader(), cacheRoot());
    }

    /** {@link #locate()} from the resources of {@code loader}, unpacking under {@code cacheRoot}. */
    static Optional<Path> locate(ClassLoader loader, Path cacheRoot) {
        URL list = loader.getResource(RESOURCE + FILE_LIST);
        if (list == null) {
            return Optional.empty();
        }
        try {
            if (list.getProtocol().equals("file")) {
                return Optional.of(Path.of(list.toURI()).getParent());
            }
            return Optional.of(extract(loader, readAll(list), cacheRoot));
        } catch (IOException | URISyntaxException e) {
            throw new AmusedException("cannot unpack the built-in model " + NAME + " (" + e.getMessage()
                    + "); pass --model DIR instead", e);
        }
    }

    private static Path extract(ClassLoader loader, byte[] fileList, Path cacheRoot) throws IOException {
        Path target = cacheRoot.resolve(NAME + "-" + sha256(fileList).substring(0, 16));
        if (Files.isRegularFile(target.resolve(FILE_LIST))) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempDirectory(target.getParent(), NAME + ".tmp");
        try {
            for (String relative : files(fileList)) {
                Path file = temp.resolve(relative);
                Files.createDirectories(file.getParent());
                try (InputStream in = open(loader, RESOURCE + relative)) {
                    Files.copy(in, file);
                }
            }
            // Written last: its presence marks a complete copy.
            Files.write(temp.resolve(FILE_LIST), fileList);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException
                     | java.nio.file.DirectoryNotEmptyException raced) {
                // Another process unpacked the same model first; its copy is as good as ours.
                deleteTree(temp);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(temp);
            throw e;
        }
        return target;
    }

    /**
     * Writes {@value #FILE_LIST} for a model folder: every file of the diffusers components (the JSON files at its root,
     * {@code model_index.json} and {@code generation_config.json}, and the component folders), not the README or the
     * training logs beside them.
     */
    public static void writeFileList(Path folder) {
        StringBuilder list = new StringBuilder();
        try (var paths = Files.walk(folder)) {
            for (Path p : paths.filter(Files::isRegularFile).sorted().toList()) {
                String relative = folder.relativize(p).toString().replace('\\', '/');
                boolean rootConfig = !relative.contains("/") && relative.endsWith(".json");
                if (rootConfig || relative.contains("/") && !relative.startsWith("training/")) {
                    list.append(Files.size(p)).append(' ').append(sha256(Files.readAllBytes(p))).append(' ')
                            .append(relative).append('\n');
                }
            }
        } catch (IOException e) {
            throw new AmusedException(folder + ": cannot list the model's files (" + e.getMessage() + ")", e);
        }
        org.amused4j.io.AtomicFiles.write(folder.resolve(FILE_LIST), "file list",
                out -> out.write(list.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The relative paths in a file list. */
    static List<String> files(byte[] fileList) {
        List<String> paths = new ArrayList<>();
        for (String line : new String(fileList, StandardCharsets.UTF_8).split("\n")) {
            String[] parts = line.strip().split(" ", 3);
            if (parts.length == 3) {
                if (parts[2].contains("..") || parts[2].startsWith("/")) {
                    throw new AmusedException("built-in model: bad path in " + FILE_LIST + ": " + parts[2]);
                }
                paths.add(parts[2]);
            }
        }
        return paths;
    }

    /** {@code AMUSED_CACHE}, else {@code $XDG_CACHE_HOME/amused4j}, else {@code ~/.cache/amused4j}. */
    static Path cacheRoot() {
        String own = System.getenv("AMUSED_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("amused4j");
    }

    private static InputStream open(ClassLoader loader, String resource) throws IOException {
        InputStream in = loader.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("the jar lacks " + resource);
        }
        return in;
    }

    private static byte[] readAll(URL url) throws IOException {
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
