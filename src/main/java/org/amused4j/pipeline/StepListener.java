package org.amused4j.pipeline;

/** Called after every sampling step, on the generating thread: progress bars, previews, tests. */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = event -> { };

    void onStep(StepEvent event);
}
