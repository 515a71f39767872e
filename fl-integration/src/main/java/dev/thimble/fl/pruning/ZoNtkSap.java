package dev.thimble.fl.pruning;

import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Parameters;
import dev.thimble.fl.zo.Objective;
import dev.thimble.fl.zo.ZoEstimator;
import dev.thimble.fl.zo.ZoRequest;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.ops.VectorOps;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The NTK-SAP saliency {@code ∂S/∂m} (Wang et al., ICLR 2023) estimated without back-propagation,
 * so that a BP-free client (BAFFLE, Feng et al. 2023; MeZO, Malladi et al. 2023) can prune with
 * the same forward-only machinery it trains with, and inference memory.
 *
 * <p>The mask is relaxed to a float vector {@code u} (1 on kept weights and on non-prunable
 * parameters, 0 on pruned ones), and S is an {@link Objective} of u:
 *
 * <pre>
 *   S(u) = ‖ f(X; θ⊙u) − f(X; θ'⊙u) ‖²,  θ' = θ + εΔ on the active prunable weights
 * </pre>
 *
 * with the same draws (θ, X, Δ) as {@link NtkSap} for the same seed. A {@link ZoEstimator}
 * perturbs u in place on the active prunable entries (pruned entries stay exactly 0) and returns
 * {@code ĝ ≈ ∂S/∂u} at u = m, which is NTK-SAP's {@code ∂S/∂m}: one shared direction moves the
 * mask of both networks, as the shared mask tensor does in the reference code. Each evaluation
 * writes {@code θ⊙u} and {@code θ'⊙u} into the network and runs two forwards.
 *
 * <p>Cost per draw: {@link ZoEstimator#evaluations} × 2 forwards, no backward; memory: the
 * inference network, the Gaussian batch, and θ, θ', u (3 floats per parameter). The default
 * estimator is central SPSA with step 0.01 on u: central, because S is nearly quadratic in u
 * (exactly, for a linear model) so the difference has no curvature bias; 0.01 because u is O(1)
 * and the float rounding of {@code f(θ⊙u) − f(θ'⊙u)} (relative ~1e-5 for ε = 0.01) must stay small
 * against the step. Its variance per coordinate is about {@code ‖∂S/∂m‖² / K} for K directions
 * (see {@code ZoEstimatorTest}), so K must grow with the active dimension for the ranking to be
 * reliable.
 */
public final class ZoNtkSap implements Saliency, AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Network net;
    private final KernelContext ctx;
    private final TensorArena scratch;
    private final float epsilon;
    private final int draws;
    private final int directions;
    private final ZoEstimator estimator;
    private final DenseF32 input;
    private final DenseF32 first;
    private final DenseF32 theta;
    private final DenseF32 thetaPerturbed;
    private final DenseF32 relaxed;
    private final DenseF32 estimate;
    private final BitMask prunable;

    /**
     * @param net any network of the model (inference is enough); its values are scratch
     * @param scratch (Output) the batch, θ, θ', u, one estimate and the exception lists
     * @param batch samples in the Gaussian batch
     * @param epsilon NTK-SAP's ε
     * @param draws independent (θ, X, Δ) draws summed per call
     * @param directions K, zeroth-order directions per draw
     * @param estimator how ∂S/∂u is estimated, e.g. {@link #defaultEstimator()}
     */
    public ZoNtkSap(Network net, KernelContext ctx, TensorArena scratch, int batch, float epsilon, int draws,
            int directions, ZoEstimator estimator) {
        this.net = Objects.requireNonNull(net, "net");
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.scratch = Objects.requireNonNull(scratch, "scratch");
        this.estimator = Objects.requireNonNull(estimator, "estimator");
        if (batch < 1 || batch > net.maxBatch() || !(epsilon > 0) || draws < 1 || directions < 1) {
            throw new IllegalArgumentException("batch " + batch + ", ε " + epsilon + ", draws " + draws
                    + ", directions " + directions);
        }
        this.epsilon = epsilon;
        this.draws = draws;
        this.directions = directions;
        int d = Math.toIntExact(net.parameters().count());
        this.input = NtkSap.gaussianBatch(scratch, net, batch);
        this.first = scratch.dense(Math.toIntExact(batch * NtkSap.size(net.outputShape())));
        this.theta = scratch.dense(d);
        this.thetaPerturbed = scratch.dense(d);
        this.relaxed = scratch.dense(d);
        this.estimate = scratch.dense(d);
        this.prunable = ParamMasks.prunable(net.parameters(), scratch);
    }

    /** Central SPSA with step 0.01 on the relaxed mask, no clip (a clip would rescale all scores alike). */
    public static ZoEstimator defaultEstimator() {
        return ZoEstimator.spsa(0.01f);
    }

    @Override
    public void gradient(BitMask mask, long seed, DenseF32 out) {
        Parameters params = net.parameters();
        out.fill(0f);
        try (BitMask active = ParamMasks.and(mask, prunable, scratch)) {
            for (int r = 0; r < draws; r++) {
                params.initialize(Draws.theta(seed, r));
                theta.copyFrom(params.values());
                // θ' = θ + εΔ on the active weights: the same fma and stream NtkSap's perturbation uses
                thetaPerturbed.copyFrom(theta);
                NoiseOps.addNoise(ctx, thetaPerturbed, active, epsilon, Draws.delta(seed, r), Draws.DELTA_TENSOR, 0,
                        Noise.GAUSSIAN);
                NtkSap.fillInput(ctx, input, Draws.input(seed, r));
                relaxed.fill(0f);
                for (long i = 0; i < relaxed.size(); i++) {
                    if (mask.get(i)) {
                        relaxed.set(i, 1f);
                    }
                }
                ZoRequest request = ZoRequest.draw(new SplittableRandom(Draws.zo(seed, r)), directions);
                estimator.estimate(ctx, scratch, this::proxy, relaxed, active, request, estimate);
                VectorOps.axpy(ctx, 1f, estimate, out);
            }
            VectorOps.applyMask(ctx, out, active);
        }
    }

    /** S(u) for the current draw: two forwards with weights θ⊙u and θ'⊙u. */
    private double proxy(DenseF32 u) {
        DenseF32 w = net.parameters().values();
        hadamard(theta, u, w);
        DenseF32 y1 = first.view(0, Math.toIntExact(first.size()));
        y1.copyFrom(net.forward(input).reshape(Math.toIntExact(first.size())));
        hadamard(thetaPerturbed, u, w);
        return NtkSap.squaredDistance(y1, net.forward(input));
    }

    private static void hadamard(DenseF32 a, DenseF32 b, DenseF32 out) {
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment os = out.segment();
        for (long i = 0, n = out.size(); i < n; i++) {
            os.setAtIndex(F, i, as.getAtIndex(F, i) * bs.getAtIndex(F, i));
        }
    }

    /** Frees the buffers this object allocated from its scratch arena (not the network). */
    @Override
    public void close() {
        input.close();
        first.close();
        theta.close();
        thetaPerturbed.close();
        relaxed.close();
        estimate.close();
        prunable.close();
    }
}
