package dev.thimble.fl.zo;

import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.SoftmaxCrossEntropy;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.ops.Perturbation;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Objects;

/**
 * K perturbed forward passes of one network on one minibatch: {@code L(w + s·z_k ⊙ m)} for
 * k = 1..K, L the mean softmax cross-entropy. This is what a BP-free client runs (BAFFLE, Feng et
 * al. 2023: K + 1 or 2K forwards per step; MeZO, Malladi et al. 2023: two per step).
 *
 * <p>One {@link Network} (best built for inference: parameters plus two activation buffers) and
 * one input tensor serve all K passes: each pass perturbs the network's flat values in place
 * ({@link NoiseOps#perturb}), runs the forward pass into the network's own buffers, reduces the
 * loss, and restores the exact original bits before the next one. Nothing is allocated per pass
 * but the perturbation's exception list, from {@code scratch}.
 *
 * <p>The direction {@code z_k} of seed k is element {@code i} of the stream (seed_k,
 * {@code tensorId}, i) over the flat parameter vector, the layout {@link ZoEstimator} and the
 * server use, so the losses here and a server's reconstruction refer to the same directions.
 */
public final class PerturbedForward {
    private final Network network;
    private final KernelContext ctx;
    private final TensorArena scratch;

    /**
     * @param network the model; its flat values are the parameters w (perturbed and restored here)
     * @param ctx runs the noise kernels
     * @param scratch (Output) holds the perturbations' exception lists while they live
     */
    public PerturbedForward(Network network, KernelContext ctx, TensorArena scratch) {
        this.network = Objects.requireNonNull(network, "network");
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.scratch = Objects.requireNonNull(scratch, "scratch");
    }

    /** The network's flat parameter values, the vector the perturbations apply to. */
    public DenseF32 parameters() {
        return network.parameters().values();
    }

    /** The unperturbed mean cross-entropy of the batch. */
    public double loss(DenseF32 x, int[] labels) {
        return SoftmaxCrossEntropy.loss(network.forward(x), labels);
    }

    /**
     * {@code L(w + scale·z_k ⊙ m)} for each seed of {@code request}, in order. A negative scale
     * gives the "minus" side of a central difference; {@link Noise#SPHERE} normalises each
     * direction over the active entries.
     *
     * @param x (Input) the batch [b, input...], shared by all K passes
     * @param labels its labels
     * @param mask (Input, Optional) the active parameters; null for all
     * @return K losses; the parameters are bit-identical afterwards
     */
    public double[] losses(DenseF32 x, int[] labels, BitMask mask, float scale, ZoRequest request, Noise noise) {
        DenseF32 w = parameters();
        double[] out = new double[request.k()];
        for (int k = 0; k < out.length; k++) {
            try (Perturbation p = NoiseOps.perturb(ctx, scratch, w, mask, scale, request.seed(k), request.tensorId(),
                    0, noise)) {
                out[k] = loss(x, labels);
                p.restore();
            }
        }
        return out;
    }

    /**
     * The loss of this batch as an {@link Objective} over the network's own flat values; it
     * rejects any other vector (the network reads its weights from there, so perturbing a copy
     * would silently change nothing).
     */
    public Objective objective(DenseF32 x, int[] labels) {
        DenseF32 w = parameters();
        return params -> {
            if (params.segment().address() != w.segment().address() || params.size() != w.size()) {
                throw new IllegalArgumentException("this objective reads the network's own parameters " + w
                        + ", got " + params);
            }
            return loss(x, labels);
        };
    }

    /**
     * A client's reply to a seed-trick request on this batch: the K loss differences of
     * {@code estimator} (K + 1 forwards for a forward difference, 2K for a central one).
     */
    public ZoReply respond(ZoEstimator estimator, ZoRequest request, DenseF32 x, int[] labels, BitMask mask) {
        return estimator.respond(ctx, scratch, objective(x, labels), parameters(), mask, request);
    }
}
