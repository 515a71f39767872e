package dev.thimble.fl.pruning;

import dev.thimble.fl.nn.Network;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.ops.VectorOps;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;

/**
 * Hutchinson's estimator of the trace of the empirical NTK, the quantity NTK-SAP (Wang et al.,
 * ICLR 2023) keeps large when it prunes:
 *
 * <pre>
 *   Tr Θ(X, X) = Σ_i ‖∂f(x_i)/∂θ‖²_F = Tr(J Jᵀ),    J = ∂ vec f(X) / ∂θ   ((b·out) × P)
 *   v ∈ {±1}^{b·out} Rademacher:  E‖Jᵀv‖² = E[vᵀ J Jᵀ v] = Tr(J Jᵀ)
 *   Var‖Jᵀv‖² = 2 (‖JJᵀ‖²_F − Σ_a (JJᵀ)_aa²)
 * </pre>
 *
 * {@code Jᵀv} is one backward pass with the probe as the output gradient, so each probe costs a
 * backward pass (the forward is shared). Restricting to a set of parameters (a mask over the flat
 * vector) gives the trace of that block.
 */
public final class NtkTrace {
    private NtkTrace() {
    }

    /**
     * An estimate with its standard error.
     *
     * @param mean the sample mean of ‖Jᵀv‖²
     * @param standardError sample standard deviation / √probes
     * @param probes number of probes
     */
    public record Estimate(double mean, double standardError, int probes) {
    }

    /**
     * Estimates {@code Σ_i ‖∂f(x_i)/∂θ_S‖²} for the parameters S selected by {@code select}.
     *
     * @param net a network built for training, at the weights of interest; its gradients are overwritten
     * @param x (Input) the batch [b, input...]
     * @param select (Input, Optional) the parameters counted; null for all
     * @param probes Rademacher probes, at least 2
     * @param seed the probes' seed (stream id 3)
     */
    public static Estimate hutchinson(Network net, KernelContext ctx, DenseF32 x, BitMask select, int probes,
            long seed) {
        if (probes < 2) {
            throw new IllegalArgumentException("need at least 2 probes for a standard error, got " + probes);
        }
        int b = x.dim(0);
        net.forward(x);
        DenseF32 grads = net.parameters().grads();
        double sum = 0;
        double sumSq = 0;
        for (int p = 0; p < probes; p++) {
            NoiseOps.fillNoise(ctx, net.outputGradient(b), null, 1f, Draws.mix(seed, p, 0), Draws.PROBE_TENSOR, 0,
                    Noise.RADEMACHER);
            net.parameters().zeroGrads();
            net.backward();
            double norm = select == null ? VectorOps.norm2(ctx, grads) : VectorOps.maskedNorm2(ctx, grads, select);
            double q = norm * norm;
            sum += q;
            sumSq += q * q;
        }
        double mean = sum / probes;
        double var = Math.max(0, (sumSq - probes * mean * mean) / (probes - 1));
        return new Estimate(mean, Math.sqrt(var / probes), probes);
    }
}
