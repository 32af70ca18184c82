package org.amused4j.pipeline;

import org.amused4j.tensor.AmusedException;

/**
 * The sampling settings shared by the three pipelines, with diffusers' defaults (spec 08 §5):
 * 12 steps, guidance 10, temperature (2, 0), aesthetic score 6, crop (0, 0), one image per prompt.
 *
 * @param steps           number of inference steps N (img2img/inpaint run the last N·strength of them)
 * @param guidanceScale   classifier-free guidance g; guidance is applied only when g > 1
 * @param imagesPerPrompt n: the prompt batch is tiled n times ([p0, p1, p0, p1] for n = 2)
 * @param seed            seed of the default random source
 */
public record GenerationOptions(int steps, float guidanceScale, int imagesPerPrompt, long seed,
                                float temperatureStart, float temperatureEnd,
                                float aestheticScore, float cropCoord0, float cropCoord1) {

    public GenerationOptions {
        if (steps <= 0) {
            throw new AmusedException("steps must be at least 1, got " + steps);
        }
        if (!Float.isFinite(guidanceScale)) {
            throw new AmusedException("guidance scale must be a finite number, got " + guidanceScale);
        }
        if (imagesPerPrompt <= 0) {
            throw new AmusedException("images per prompt must be at least 1, got " + imagesPerPrompt);
        }
    }

    public static GenerationOptions defaults() {
        return new GenerationOptions(12, 10f, 1, 0L, 2f, 0f, 6f, 0f, 0f);
    }

    public GenerationOptions withSteps(int value) {
        return new GenerationOptions(value, guidanceScale, imagesPerPrompt, seed, temperatureStart, temperatureEnd,
                aestheticScore, cropCoord0, cropCoord1);
    }

    public GenerationOptions withGuidanceScale(float value) {
        return new GenerationOptions(steps, value, imagesPerPrompt, seed, temperatureStart, temperatureEnd,
                aestheticScore, cropCoord0, cropCoord1);
    }

    public GenerationOptions withImagesPerPrompt(int value) {
        return new GenerationOptions(steps, guidanceScale, value, seed, temperatureStart, temperatureEnd,
                aestheticScore, cropCoord0, cropCoord1);
    }

    public GenerationOptions withSeed(long value) {
        return new GenerationOptions(steps, guidanceScale, imagesPerPrompt, value, temperatureStart, temperatureEnd,
                aestheticScore, cropCoord0, cropCoord1);
    }

    public GenerationOptions withTemperature(float start, float end) {
        return new GenerationOptions(steps, guidanceScale, imagesPerPrompt, seed, start, end, aestheticScore,
                cropCoord0, cropCoord1);
    }

    public boolean guided() {
        return guidanceScale > 1f;
    }
}
