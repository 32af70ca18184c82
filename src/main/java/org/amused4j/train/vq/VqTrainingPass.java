package org.amused4j.train.vq;

import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;
import org.amused4j.train.Parameter;
import org.amused4j.vq.VqModel;

import java.util.IdentityHashMap;
import java.util.List;

/**
 * The differentiable part of one VQ-VAE training step (golden README §9.5): diffusers' {@code VQModel.forward}
 * with the straight-through estimator, and the standard VQ-VAE objective
 * <pre>
 * loss = mean((reconstruction − image)²) + mean((sg(z) − z_q)²) + β·mean((z − sg(z_q))²)
 * </pre>
 * The backward adds d loss / d parameter into every trainable {@link Parameter}'s gradient ({@code +=}). The
 * codebook receives only the codebook term (the straight-through copy carries no gradient to it); a frozen
 * codebook (trained by other means, e.g. EMA) receives none.
 */
public final class VqTrainingPass {
    /** The commitment weight of VQ-VAE (and of the golden data). */
    public static final double DEFAULT_BETA = 0.25;

    private static final String LATENTS = "latents";
    private static final String Z_Q_ST = "z_q_st";

    private final VqModel model;
    private final double beta;
    private final IdentityHashMap<float[], float[]> gradients = new IdentityHashMap<>();

    /**
     * The forward values, the loss parts and the tape the pass ran on.
     *
     * @param indices        nearest codebook entry per latent pixel, flat [B, h, w]
     * @param latents        z = quant_conv(encoder(image)) [B, C, h, w]
     * @param zq             codebook[indices] as NCHW
     * @param zqSt           the straight-through value z + (z_q − z) the decoder consumed
     * @param reconstruction decoder(post_quant_conv(zqSt)) [B, 3, H, W], not clamped
     */
    public record Result(double lossMse, double lossCodebook, double lossCommitment, double lossTotal, int[] indices,
                         Tensor latents, Tensor zq, Tensor zqSt, Tensor reconstruction, Tape tape) {
        /** d loss / d z (straight-through part + β · commitment part); null unless the pass kept named gradients. */
        public Tensor gradLatents() {
            return tape.gradient(LATENTS);
        }

        /** d loss / d z_q_st (the reconstruction's gradient at the decoder input); null unless kept. */
        public Tensor gradZqSt() {
            return tape.gradient(Z_Q_ST);
        }
    }

    /** @param parameters the model's parameters; the trainable ones receive gradients */
    public VqTrainingPass(VqModel model, List<Parameter> parameters, double beta) {
        this.model = model;
        this.beta = beta;
        for (Parameter p : parameters) {
            if (p.isTrainable()) {
                gradients.put(p.value(), p.grad());
            }
        }
    }

    /**
     * Forward, loss and backward on a batch of images [B, 3, H, W] in [0, 1].
     *
     * @param keepNamedGradients whether the result keeps d loss / d latents and d loss / d z_q_st (for inspection)
     */
    public Result run(Tensor image, boolean keepNamedGradients) {
        return run(image, null, keepNamedGradients);
    }

    /**
     * {@link #run(Tensor, boolean)} with a weighted reconstruction loss mean(w·(r − x)²), w given per pixel
     * [B, H, W] (shared by the 3 channels; null: all 1); the result's {@code lossMse} stays the plain mean.
     */
    public Result run(Tensor image, float[] pixelWeights, boolean keepNamedGradients) {
        Tape tape = Tape.recording(gradients, new Tape.Options(keepNamedGradients, false));
        Tensor z = model.encode(image, tape);
        int batch = z.dim(0), h = z.dim(2), w = z.dim(3);
        int[] ids = model.quantize(z);
        Tensor zq = model.quantizer().lookup(ids, batch, h, w);
        Tensor zqSt = straightThrough(z, zq, ids, tape);
        tape.retain(LATENTS, z);
        tape.retain(Z_Q_ST, zqSt);
        Tensor reconstruction = model.decodeEmbeddings(zqSt, tape);
        double mse = reconstructionBackward(reconstruction, image, pixelWeights, tape);
        double quantization = meanSquaredDistance(z, zq);
        double total = mse + quantization + beta * quantization;
        return new Result(mse, quantization, quantization, total, ids, z, zq, zqSt, reconstruction, tape);
    }

    /**
     * The decoder's part alone: decoder(post_quant_conv(codebook[ids])) against {@code image}, the weighted
     * reconstruction loss's gradient added into the decoder's and post_quant_conv's trainable parameters (the
     * encoder and the codebook take no part). For tuning the decoder on the token grids a transformer is trained on.
     *
     * @param ids row-major token grids [B, h, w]
     * @return the plain mean squared error of the reconstruction
     */
    public double runDecoder(int[] ids, int h, int w, Tensor image, float[] pixelWeights) {
        Tape tape = Tape.recording(gradients, new Tape.Options(false, false));
        Tensor zq = model.quantizer().lookup(ids, image.dim(0), h, w);
        return reconstructionBackward(model.decodeEmbeddings(zq, tape), image, pixelWeights, tape);
    }

    /** mean(w·(r − x)²)'s backward from the reconstruction r; returns the plain mean((r − x)²). */
    private static double reconstructionBackward(Tensor reconstruction, Tensor image, float[] pixelWeights,
                                                 Tape tape) {
        float[] r = reconstruction.data();
        float[] x = image.data();
        float[] dRecon = new float[r.length];
        double mse = 0;
        int plane = image.dim(2) * image.dim(3);
        for (int i = 0; i < r.length; i++) {
            double d = (double) r[i] - x[i];
            mse += d * d;
            double weight = pixelWeights == null ? 1 : pixelWeights[i / (3 * plane) * plane + i % plane];
            dRecon[i] = (float) (2 * weight * d / r.length);
        }
        tape.backward(reconstruction, Tensor.of(dRecon, reconstruction.shape()));
        return mse / r.length;
    }

    /**
     * z + (z_q − z) (the value diffusers hands the decoder, z_q up to rounding), recorded so that its backward
     * passes the decoder's gradient to z unchanged and adds the two quantization terms: β·2(z − z_q)/n into z and
     * 2(e_k − z)/n into each used codebook row.
     */
    private Tensor straightThrough(Tensor z, Tensor zq, int[] ids, Tape tape) {
        float[] zd = z.data();
        float[] qd = zq.data();
        Tensor st = Tensor.zeros(z.shape());
        float[] sd = st.data();
        for (int i = 0; i < sd.length; i++) {
            sd[i] = zd[i] + (qd[i] - zd[i]);
        }
        tape.onBackward(st, dSt -> {
            float n = zd.length;
            float[] dz = tape.gradientBuffer(z);
            for (int i = 0; i < dz.length; i++) {
                dz[i] += dSt[i] + (float) (beta * 2 * (zd[i] - qd[i]) / n);
            }
            float[] dCodebook = tape.parameterGradient(model.quantizer().codebook());
            if (dCodebook != null) {
                addCodebookGradient(z, zq, ids, dCodebook);
            }
        });
        return st;
    }

    /** d mean((sg(z) − E[ids])²) / d E, row by row in pixel order. */
    private static void addCodebookGradient(Tensor z, Tensor zq, int[] ids, float[] dCodebook) {
        int channels = z.dim(1), plane = z.dim(2) * z.dim(3);
        float[] zd = z.data();
        float[] qd = zq.data();
        double scale = 2.0 / zd.length;
        for (int b = 0; b < z.dim(0); b++) {
            for (int p = 0; p < plane; p++) {
                int row = ids[b * plane + p] * channels;
                for (int c = 0; c < channels; c++) {
                    int i = (b * channels + c) * plane + p;
                    dCodebook[row + c] += (float) (scale * (qd[i] - zd[i]));
                }
            }
        }
    }

    private static double meanSquaredDistance(Tensor a, Tensor b) {
        float[] ad = a.data();
        float[] bd = b.data();
        double sum = 0;
        for (int i = 0; i < ad.length; i++) {
            double d = (double) ad[i] - bd[i];
            sum += d * d;
        }
        return sum / ad.length;
    }
}
