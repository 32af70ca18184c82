/**
 * The model-independent layers the text encoder, the VQ-GAN and the U-ViT share ({@link org.amused4j.nn.Linear},
 * the norms, {@link org.amused4j.nn.Conv2d}, {@link org.amused4j.nn.Embedding}) and the few tensor helpers around
 * them ({@link org.amused4j.nn.Layouts}, {@link org.amused4j.nn.TensorOps}).
 *
 * <p>Every layer reads its parameters by their diffusers/HF names ({@code weight}, {@code bias}) from a
 * {@link org.amused4j.io.Weights} view, exposes them (accessors and {@link org.amused4j.nn.Module#parameters}), and
 * computes {@code forward} from its explicit inputs into a new tensor without keeping state, so a backward pass can
 * be added next to it. All arithmetic goes through {@link org.amused4j.kernels.Kernels#get()}.
 *
 * <p>A {@link org.amused4j.nn.Tape} is the context of one forward pass: a recording one collects the backward
 * steps; a recycling one (inference) lends the ops their output storage from what the pass has handed back as dead
 * ({@link org.amused4j.nn.Tape#recycle}), and {@link org.amused4j.nn.Activations} keeps that storage between passes.
 */
package org.amused4j.nn;
