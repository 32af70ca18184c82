package org.amused4j.vq;

import org.amused4j.io.FileWeights;
import org.amused4j.io.Weights;
import org.amused4j.nn.Conv2d;
import org.amused4j.nn.Module;
import org.amused4j.nn.Tape;
import org.amused4j.tensor.Tensor;

import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * aMUSEd's VQ-GAN (diffusers {@code VQModel}), spec 06: images in [0, 1] ↔ token ids on a grid
 * {@link VqConfig#downsampleFactor()} times smaller. Always computed in float32 (what {@code force_upcast} asks
 * for). Encoding and decoding are independent: img2img/inpaint encode, every pipeline decodes.
 */
public final class VqModel implements Module {
    /** The weight file of a diffusers {@code vqvae/} folder. */
    public static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";

    private final VqConfig config;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final VectorQuantizer quantizer;
    private final Conv2d postQuantConv;
    private final Decoder decoder;

    public VqModel(VqConfig config, Weights w) {
        this.config = config;
        int latent = config.latentChannels();
        int embed = config.vqEmbedDim();
        this.encoder = new Encoder(config, w.prefixed("encoder"));
        this.quantConv = Conv2d.pointwise(w.prefixed("quant_conv"), latent, embed, true);
        this.quantizer = new VectorQuantizer(w.prefixed("quantize"), config.numVqEmbeddings(), embed);
        this.postQuantConv = Conv2d.pointwise(w.prefixed("post_quant_conv"), embed, latent, true);
        this.decoder = new Decoder(config, w.prefixed("decoder"));
    }

    /**
     * Loads a diffusers {@code vqvae/} folder ({@code config.json} + {@value #WEIGHTS_FILE}); the file must hold
     * exactly the tensors the config implies.
     */
    public static VqModel load(Path dir) {
        VqConfig config = VqConfig.read(dir.resolve("config.json"));
        try (FileWeights weights = FileWeights.open(dir.resolve(WEIGHTS_FILE))) {
            VqModel model = new VqModel(config, weights);
            weights.checkAllUsed();
            return model;
        }
    }

    /** {@code vqvae.encode(image).latents}: quant_conv(encoder(image)), image [B, 3, H, W] in [0, 1]. */
    public Tensor encode(Tensor image) {
        return encode(image, Tape.NONE);
    }

    /** {@link #encode(Tensor)} with its backward registered on {@code tape}. */
    public Tensor encode(Tensor image, Tape tape) {
        return quantConv.forward(encoder.forward(image, tape), tape);
    }

    /** Token ids of latents [B, C, h, w], flat row-major [B, h, w]. */
    public int[] quantize(Tensor latents) {
        return quantizer.indices(latents);
    }

    /**
     * {@code vqvae.decode(ids, force_not_quantize=True, shape=(B, h, w, C))}: codebook lookup, post_quant_conv,
     * decoder. Returns [B, 3, h·f, w·f] before the pipeline's clamp to [0, 1].
     */
    public Tensor decode(int[] ids, int batch, int h, int w) {
        return decodeEmbeddings(quantizer.lookup(ids, batch, h, w));
    }

    /** decoder(post_quant_conv(z_q)) for codebook vectors (or straight-through values) z_q [B, C, h, w]. */
    public Tensor decodeEmbeddings(Tensor zq) {
        // A tape of its own per decode: the decoder's maps (up to 128 MiB each at 512×512) are reused within the
        // decode, not kept for the next one, which comes a whole generation later.
        return decodeEmbeddings(zq, Tape.recycling());
    }

    /** {@link #decodeEmbeddings(Tensor)} with its backward registered on {@code tape}. */
    public Tensor decodeEmbeddings(Tensor zq, Tape tape) {
        Tensor z = postQuantConv.forward(zq, tape);
        Tensor image = decoder.forward(z, tape);
        tape.recycle(z);
        return image;
    }

    /** Every parameter by its diffusers name ({@code prefix} is "" for a standalone VQ model). */
    @Override
    public void parameters(String prefix, BiConsumer<String, Tensor> sink) {
        encoder.parameters(prefix + "encoder.", sink);
        quantConv.parameters(prefix + "quant_conv.", sink);
        quantizer.parameters(prefix + "quantize.", sink);
        postQuantConv.parameters(prefix + "post_quant_conv.", sink);
        decoder.parameters(prefix + "decoder.", sink);
    }

    public VqConfig config() {
        return config;
    }

    public Encoder encoder() {
        return encoder;
    }

    public VectorQuantizer quantizer() {
        return quantizer;
    }

    public Decoder decoder() {
        return decoder;
    }
}
