package org.amused4j.train.vq;

/** Receives {@link VqTrainer}'s progress reports (on the training thread). */
@FunctionalInterface
public interface VqTrainingListener {
    void onProgress(VqProgress progress);

    /** Hands every report to {@code this}, then to {@code next}. */
    default VqTrainingListener andThen(VqTrainingListener next) {
        return p -> {
            onProgress(p);
            next.onProgress(p);
        };
    }
}
