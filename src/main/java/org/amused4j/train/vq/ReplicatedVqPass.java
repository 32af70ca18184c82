package org.amused4j.train.vq;

import org.amused4j.kernels.Parallel;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.Parameter;
import org.amused4j.train.ReplicaGradients;
import org.amused4j.train.TransformerTrainingPass;
import org.amused4j.vq.VqModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Data parallelism for VQ training: the batch is cut into equal parts, each part's {@link VqTrainingPass} runs on
 * its own core (its kernels then run on that thread alone, see {@link Parallel}) and accumulates into its own
 * gradient buffers, and the parts' gradients are averaged into the model's parameters. Every part's loss is a mean
 * over equally many values, so the average is the full batch's gradient up to float rounding.
 *
 * <p>Why: a shapes-sized VQ (24 channels, 64×64 images) keeps a core busy but gains little from splitting each
 * convolution across two (35 → 41 images/s); two independent halves of the batch nearly double it. The sums run in
 * replica order, so a run depends on the replica count and not on the machine.
 */
final class ReplicatedVqPass {
    private final List<VqTrainingPass> passes = new ArrayList<>();
    private final List<Parameter> parameters;
    private final List<List<Parameter>> shadows = new ArrayList<>();

    /** @param parameters the model's parameters (the optimizer's); replica 0 accumulates into them directly */
    ReplicatedVqPass(VqModel model, List<Parameter> parameters, double beta, int replicas) {
        this.parameters = parameters;
        passes.add(new VqTrainingPass(model, parameters, beta));
        Set<String> trainable = parameters.stream().filter(Parameter::isTrainable).map(Parameter::name)
                .collect(Collectors.toSet());
        for (int r = 1; r < replicas; r++) {
            List<Parameter> shadow = TransformerTrainingPass.parameters(model, trainable::contains);
            shadows.add(shadow);
            passes.add(new VqTrainingPass(model, shadow, beta));
        }
    }

    /**
     * Forward, loss and backward of {@code images} [B, 3, H, W]: adds the batch's gradient into the parameters'
     * gradients and returns the losses (means over the batch), every image's code ids and latents. The result's
     * z_q, reconstruction and tape are null when there is more than one replica.
     */
    VqTrainingPass.Result run(Tensor images, float[] pixelWeights) {
        int replicas = passes.size();
        if (replicas == 1) {
            return passes.getFirst().run(images, pixelWeights, false);
        }
        VqTrainingPass.Result[] results = new VqTrainingPass.Result[replicas];
        inParts(images, pixelWeights, (r, part, weights) -> results[r] = passes.get(r).run(part.images(),
                weights, false));
        return merge(results);
    }

    /**
     * {@link VqTrainingPass#runDecoder} over the replicas: the decoder's gradient for the token grids {@code ids}
     * [B, h, w] and their images, added into the parameters' gradients; returns the batch's mean squared error.
     */
    double runDecoder(int[] ids, int h, int w, Tensor images, float[] pixelWeights) {
        if (passes.size() == 1) {
            return passes.getFirst().runDecoder(ids, h, w, images, pixelWeights);
        }
        double[] mse = new double[passes.size()];
        inParts(images, pixelWeights, (r, part, weights) -> mse[r] = passes.get(r).runDecoder(
                Arrays.copyOfRange(ids, part.from() * h * w, (part.from() + part.count()) * h * w), h, w,
                part.images(), weights));
        return Arrays.stream(mse).sum() / mse.length;
    }

    /** One replica's share of a batch: images [from, from + count), copied. */
    private record Part(int from, int count, Tensor images) {
    }

    private interface PartBody {
        void run(int replica, Part part, float[] pixelWeights);
    }

    /** Runs {@code body} on every replica's part at once, then folds the shadows' gradients into the parameters. */
    private void inParts(Tensor images, float[] pixelWeights, PartBody body) {
        int replicas = passes.size();
        for (List<Parameter> shadow : shadows) {
            shadow.forEach(Parameter::zeroGrad);
        }
        int count = images.dim(0) / replicas;
        int plane = images.dim(2) * images.dim(3);
        Parallel.forEach(replicas, r -> body.run(r, new Part(r * count, count, slice(images, r * count, count)),
                pixelWeights == null ? null
                        : Arrays.copyOfRange(pixelWeights, r * count * plane, (r + 1) * count * plane)));
        ReplicaGradients.foldInto(parameters, shadows, 1f / replicas);
    }

    private static VqTrainingPass.Result merge(VqTrainingPass.Result[] parts) {
        double mse = 0;
        double codebook = 0;
        double commitment = 0;
        double total = 0;
        List<Tensor> latents = new ArrayList<>();
        int ids = 0;
        for (VqTrainingPass.Result r : parts) {
            mse += r.lossMse() / parts.length;
            codebook += r.lossCodebook() / parts.length;
            commitment += r.lossCommitment() / parts.length;
            total += r.lossTotal() / parts.length;
            latents.add(r.latents());
            ids += r.indices().length;
        }
        int[] indices = new int[ids];
        int at = 0;
        for (VqTrainingPass.Result r : parts) {
            System.arraycopy(r.indices(), 0, indices, at, r.indices().length);
            at += r.indices().length;
        }
        return new VqTrainingPass.Result(mse, codebook, commitment, total, indices, concat(latents), null, null,
                null, null);
    }

    /** Images [from, from + count) of a batch, copied. */
    private static Tensor slice(Tensor batch, int from, int count) {
        int per = batch.size() / batch.dim(0);
        int[] shape = batch.shape().clone();
        shape[0] = count;
        return Tensor.of(Arrays.copyOfRange(batch.data(), from * per, (from + count) * per), shape);
    }

    private static Tensor concat(List<Tensor> parts) {
        int[] shape = parts.getFirst().shape().clone();
        shape[0] = parts.stream().mapToInt(t -> t.dim(0)).sum();
        float[] data = new float[parts.stream().mapToInt(Tensor::size).sum()];
        int at = 0;
        for (Tensor t : parts) {
            System.arraycopy(t.data(), 0, data, at, t.size());
            at += t.size();
        }
        return Tensor.of(data, shape);
    }
}
