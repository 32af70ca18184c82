package org.amused4j.pipeline;

import org.amused4j.tensor.Tensor;

/**
 * The result of a pipeline call.
 *
 * @param images  decoded images in [0, 1], NCHW [batch, 3, H, W]; image j belongs to prompt j mod prompts
 * @param decoded the VQ decoder output before clamping (same shape)
 * @param tokens  the final token grids, row-major [batch·h·w]
 */
public record Generation(Tensor images, Tensor decoded, int[] tokens, int batch, int tokenHeight, int tokenWidth) {
}
