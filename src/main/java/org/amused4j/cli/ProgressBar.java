package org.amused4j.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar redrawn in place with carriage returns; on a non-terminal stream it prints
 * nothing until {@link #done}, so logs and pipes stay clean.
 */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private final int total;
    private final boolean interactive;
    private final long start = System.nanoTime();

    ProgressBar(PrintStream out, String label, int total, boolean interactive) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.interactive = interactive;
    }

    static boolean stderrIsTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    void update(int done, String detail) {
        if (!interactive) {
            return;
        }
        int filled = (int) ((long) WIDTH * Math.min(done, total) / total);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("\r%s [%s%s] %d/%d %.1fs %s", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                done, total, seconds, detail == null ? "" : detail);
        out.flush();
    }

    void done(String summary) {
        double seconds = (System.nanoTime() - start) / 1e9;
        if (interactive) {
            out.print("\r\033[K");
        }
        out.printf("%s: %s (%.1fs)%n", label, summary, seconds);
        out.flush();
    }
}
