package org.amused4j.train.joint;

import org.amused4j.kernels.Parallel;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.amused4j.text.ClipTextEncoder;
import org.amused4j.text.ClipTextOutput;
import org.amused4j.train.Parameter;
import org.amused4j.train.ReplicaGradients;
import org.amused4j.train.TransformerTrainingPass;
import org.amused4j.train.loss.MaskedBatch;
import org.amused4j.train.loss.MaskedCrossEntropy;
import org.amused4j.uvit.UVit2DModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The joint step's forward and backward, data-parallel: the batch is cut into equal parts, each part runs the text
 * encoder and the U-ViT on its own core (its kernels then run on that thread alone, see {@link Parallel}) into its
 * own gradient buffers, and the parts' gradients are summed into the parameters'. Each part back-propagates its
 * mean loss scaled by its share of the batch's masked positions, so the sum is the gradient of the whole batch's
 * mean over all its masked positions, up to float rounding.
 *
 * <p>Why: the shapes models' matrices are small (64 positions of width 128 per sample), so splitting each kernel
 * across two threads gains little, while two independent halves of the batch keep both cores busy. The sums run in
 * replica order: a run depends on the replica count, never on the machine.
 */
final class ReplicatedJointPass {
    private final ClipTextEncoder textEncoder;
    private final List<Replica> replicas = new ArrayList<>();
    private final List<Parameter> parameters;
    private final int imageSize;
    private final int gridSide;

    /** One part's models' gradient buffers: the first replica's are the parameters' own. */
    private record Replica(List<Parameter> parameters, IdentityHashMap<float[], float[]> textGradients,
                           TransformerTrainingPass pass) {
    }

    /**
     * @param transformerParameters the U-ViT's parameters, as the optimizer sees them
     * @param textParameters        the text encoder's
     * @param imageSize             the micro-conditioning's image side
     * @param gridSide              the token grids' side
     */
    ReplicatedJointPass(ClipTextEncoder textEncoder, UVit2DModel transformer, List<Parameter> transformerParameters,
                        List<Parameter> textParameters, int imageSize, int gridSide, int count) {
        this.textEncoder = textEncoder;
        this.imageSize = imageSize;
        this.gridSide = gridSide;
        this.parameters = concat(transformerParameters, textParameters);
        replicas.add(replica(transformer, transformerParameters, textParameters));
        for (int r = 1; r < count; r++) {
            replicas.add(replica(transformer, named("transformer.", transformer),
                    named("text_encoder.", textEncoder)));
        }
    }

    /**
     * Adds d loss / d parameter of {@code batch} into every parameter's gradient and returns the loss: the mean
     * cross-entropy over all the batch's masked positions.
     */
    float run(JointTrainer.Batch batch) {
        int count = replicas.size();
        int part = batch.ids().length / count;
        MaskedBatch masked = batch.masked();
        int seqLen = gridSide * gridSide;
        int total = Arrays.stream(masked.maskedCounts()).sum();
        for (Replica shadow : replicas.subList(1, count)) {
            shadow.parameters().forEach(Parameter::zeroGrad);
        }
        double[] weightedLoss = new double[count];
        Parallel.forEach(count, r -> {
            int from = r * part;
            int masks = Arrays.stream(masked.maskedCounts(), from, from + part).sum();
            float share = (float) masks / total;
            float loss = runPart(replicas.get(r),
                    Arrays.copyOfRange(batch.ids(), from, from + part),
                    Arrays.copyOfRange(masked.inputIds(), from * seqLen, (from + part) * seqLen),
                    Arrays.copyOfRange(masked.labels(), from * seqLen, (from + part) * seqLen),
                    microConds(part), share);
            weightedLoss[r] = (double) share * loss;
        });
        ReplicaGradients.foldInto(parameters, replicas.subList(1, count).stream().map(Replica::parameters).toList(),
                1f);
        return (float) Arrays.stream(weightedLoss).sum();
    }

    /** The micro-conditioning of every sample: [size, size, 0, 0, 6] (uncropped, aesthetic score 6). */
    private Tensor microConds(int batch) {
        float[] m = new float[batch * 5];
        for (int b = 0; b < batch; b++) {
            m[b * 5] = imageSize;
            m[b * 5 + 1] = imageSize;
            m[b * 5 + 4] = 6;
        }
        return Tensor.of(m, batch, 5);
    }

    private static Replica replica(UVit2DModel transformer, List<Parameter> transformerParameters,
                                   List<Parameter> textParameters) {
        IdentityHashMap<float[], float[]> textGradients = new IdentityHashMap<>();
        for (Parameter p : textParameters) {
            textGradients.put(p.value(), p.grad());
        }
        return new Replica(concat(transformerParameters, textParameters), textGradients,
                new TransformerTrainingPass(transformer, transformerParameters, new MaskedCrossEntropy(), false));
    }

    /** Forward and backward of both models on one part, its loss's gradient scaled by {@code share}. */
    private float runPart(Replica replica, int[][] ids, int[] inputIds, int[] labels, Tensor microConds,
                          float share) {
        Tape textTape = Tape.recording(replica.textGradients(), new Tape.Options(false, false));
        ClipTextOutput text = textEncoder.forward(ids, textTape);
        TransformerTrainingPass.Result result = replica.pass().run(inputIds, gridSide, gridSide, labels,
                new TransformerTrainingPass.Conditioning(text.penultimate(), text.textEmbeds(), microConds), false,
                share);
        text.backward(textTape, result.gradient(text.penultimate()), result.gradient(text.textEmbeds()));
        return result.loss();
    }

    /** Every parameter of {@code model}, trainable, named with {@code prefix}, with a fresh gradient buffer. */
    static List<Parameter> named(String prefix, Module model) {
        List<Parameter> out = new ArrayList<>();
        model.parameters(prefix, (name, value) -> out.add(Parameter.trainable(name, value)));
        return out;
    }

    private static List<Parameter> concat(List<Parameter> first, List<Parameter> second) {
        List<Parameter> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
