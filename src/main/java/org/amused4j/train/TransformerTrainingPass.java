package org.amused4j.train;

import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.loss.MaskedCrossEntropy;
import org.amused4j.uvit.Trace;
import org.amused4j.uvit.UVit2DModel;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Predicate;

/**
 * The differentiable part of one training step of {@code train_amused.py} (spec 09 §3): the U-ViT forward on a
 * masked batch, the masked cross-entropy, and the backward, which adds d loss / d parameter into every trainable
 * {@link Parameter}'s gradient ({@code +=}: zero them before a step, or leave them to accumulate over
 * micro-batches). The optimizer step is the caller's.
 */
public final class TransformerTrainingPass {
    private final UVit2DModel model;
    private final MaskedCrossEntropy loss;
    private final boolean gradientCheckpointing;
    private final IdentityHashMap<float[], float[]> gradients = new IdentityHashMap<>();

    /** The text and micro-conditioning of a batch: the transformer's inputs besides the token grid. */
    public record Conditioning(Tensor encoderHiddenStates, Tensor pooledTextEmb, Tensor microConds) {
    }

    /** The loss over the masked positions, its gradient w.r.t. the logits, and the tape the pass ran on. */
    public record Result(float loss, int maskedCount, Tensor logits, Tensor gradLogits, Tape tape) {
        /** d loss / d (an input of the pass), e.g. the encoder hidden states, or null if none reached it. */
        public Tensor gradient(Tensor input) {
            return tape.gradient(input);
        }
    }

    /**
     * @param parameters the model's parameters; the trainable ones receive gradients
     * @param loss       the objective (the fine-tuning script uses no label smoothing)
     * @param gradientCheckpointing {@code --gradient_checkpointing}: recompute each transformer layer in the
     *                              backward instead of keeping its activations (same gradients, less memory)
     */
    public TransformerTrainingPass(UVit2DModel model, List<Parameter> parameters, MaskedCrossEntropy loss,
                                   boolean gradientCheckpointing) {
        this.model = model;
        this.loss = loss;
        this.gradientCheckpointing = gradientCheckpointing;
        for (Parameter p : parameters) {
            if (p.isTrainable()) {
                gradients.put(p.value(), p.grad());
            }
        }
    }

    /**
     * Every parameter of {@code model} by its name, trainable where {@code trainable} accepts the name and
     * frozen otherwise; the values are the model's live tensors.
     */
    public static List<Parameter> parameters(Module model, Predicate<String> trainable) {
        return model.namedParameters().entrySet().stream()
                .map(e -> trainable.test(e.getKey()) ? Parameter.trainable(e.getKey(), e.getValue())
                        : Parameter.frozen(e.getKey(), e.getValue()))
                .toList();
    }

    /**
     * Forward, loss and backward on one batch.
     *
     * @param inputIds row-major token grids [B·height·width] (the mask id where masked)
     * @param labels   [B, height·width]: the token where masked, {@link MaskedCrossEntropy#IGNORE_INDEX} elsewhere
     * @param keepNamedGradients whether the result's tape keeps the gradients of the activations named as in
     *                           {@link Trace} (for inspection; costs their memory)
     */
    public Result run(int[] inputIds, int height, int width, int[] labels, Conditioning conditioning,
                      boolean keepNamedGradients) {
        return run(inputIds, height, width, labels, conditioning, keepNamedGradients, 1f);
    }

    /**
     * {@link #run(int[], int, int, int[], Conditioning, boolean)} back-propagating {@code gradientScale · loss}
     * (gradient accumulation divides each micro-batch's loss by the number of micro-batches); the result's loss
     * is the unscaled mean.
     */
    public Result run(int[] inputIds, int height, int width, int[] labels, Conditioning conditioning,
                      boolean keepNamedGradients, float gradientScale) {
        Tape tape = Tape.recording(gradients, new Tape.Options(keepNamedGradients, gradientCheckpointing));
        Tensor logits = model.logits(inputIds, height, width, model.condition(conditioning.encoderHiddenStates(),
                conditioning.pooledTextEmb(), conditioning.microConds(), Trace.NONE, tape), Trace.NONE, tape);
        MaskedCrossEntropy.Result objective = loss.evaluate(logits, labels);
        if (gradientScale != 1f) {
            float[] g = objective.gradLogits().data();
            for (int i = 0; i < g.length; i++) {
                g[i] *= gradientScale;
            }
        }
        tape.backward(logits, objective.gradLogits());
        return new Result(objective.loss(), objective.counted(), logits, objective.gradLogits(), tape);
    }
}
