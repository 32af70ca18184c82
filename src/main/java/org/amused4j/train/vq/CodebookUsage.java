package org.amused4j.train.vq;

import org.amused4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Which codes the quantizer chooses: per-window counts (for the usage and perplexity reports) and the last step
 * each code was chosen (to find dead codes).
 */
final class CodebookUsage {
    private final int[] lastUsed;
    private final long[] windowCounts;

    CodebookUsage(int codes) {
        this.lastUsed = new int[codes];
        this.windowCounts = new long[codes];
    }

    void record(int[] ids, int step) {
        for (int id : ids) {
            lastUsed[id] = step;
            windowCounts[id]++;
        }
    }

    /** Distinct codes chosen since the last {@link #resetWindow}. */
    int codesUsed() {
        return (int) Arrays.stream(windowCounts).filter(c -> c > 0).count();
    }

    /** exp(entropy) of the code frequencies since the last {@link #resetWindow}. */
    double perplexity() {
        long total = Arrays.stream(windowCounts).sum();
        double entropy = 0;
        for (long c : windowCounts) {
            if (c > 0) {
                double p = (double) c / total;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    void resetWindow() {
        Arrays.fill(windowCounts, 0);
    }

    /** Codes not chosen in the {@code deadAfter} steps up to {@code step}. */
    List<Integer> dead(int step, int deadAfter) {
        List<Integer> dead = new ArrayList<>();
        for (int k = 0; k < lastUsed.length; k++) {
            if (step - lastUsed[k] >= deadAfter) {
                dead.add(k);
            }
        }
        return dead;
    }

    /**
     * Re-initialises each code of {@code dead} to the latent vector of a random pixel of {@code latents}
     * [B, dim, h, w] (so it is close to something the encoder produces now), and counts it as used at {@code step}.
     */
    void revive(List<Integer> dead, Tensor latents, float[] codebook, Random random, int step) {
        int dim = latents.dim(1), plane = latents.dim(2) * latents.dim(3);
        float[] z = latents.data();
        for (int k : dead) {
            int pixel = random.nextInt(latents.dim(0) * plane);
            int b = pixel / plane, p = pixel % plane;
            for (int c = 0; c < dim; c++) {
                codebook[k * dim + c] = z[(b * dim + c) * plane + p];
            }
            lastUsed[k] = step;
        }
    }
}
