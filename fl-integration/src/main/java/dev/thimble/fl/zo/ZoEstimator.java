package dev.thimble.fl.zo;

import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.ops.Perturbation;
import dev.thimble.ops.VectorOps;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Objects;

/**
 * A zeroth-order gradient estimator on a flat parameter vector {@code w} restricted to a mask
 * {@code m} (null = every entry):
 *
 * <pre>
 *   ĝ = Σ_k c_k · z_k ⊙ m,      c_k = factor · ΔL_k,   k = 1..K
 *   FORWARD:  ΔL_k = L(w + s z_k⊙m) − L(w),        factor = D / (K s)
 *   CENTRAL:  ΔL_k = L(w + s z_k⊙m) − L(w − s z_k⊙m), factor = D / (2 K s)
 *   D = d = nnz(m) for sphere directions (FedZO's d/μ), 1 otherwise
 *   then, if a clip c is set:  ĝ ← ĝ · min(1, c / ‖ĝ‖∞)   (BAFFLE)
 * </pre>
 *
 * The factories give the published estimators: {@link #spsa} (MeZO, Malladi et al., "Fine-Tuning
 * Language Models with Just Forward Passes", NeurIPS 2023: central difference along a Gaussian
 * {@code z}, {@code (L₊ − L₋)/(2ε)·z}); {@link #baffleForward} and {@link #baffleCentral}
 * (BAFFLE, Feng et al., "Does Federated Learning Really Need Backpropagation?", 2023: Stein's
 * identity with Gaussian {@code ε_k}, mean over K, then the ∞-norm clip 0.3); {@link #fedZo}
 * (FedZO, Fang et al., "Communication-Efficient Stochastic Zeroth-Order Optimization for Federated
 * Learning", IEEE TSP 2022: {@code (d/μ)(L(w+μv) − L(w))v} with {@code v} uniform on the unit
 * sphere of the <em>active</em> coordinates, so d is the number of unpruned weights).
 *
 * <p><b>Split for the seed trick.</b> {@link #respond} is the client's part: K loss differences
 * for server-chosen seeds, nothing else; {@link #reconstruct} is the server's part: it streams
 * {@link NoiseOps#addNoise} once per seed into one accumulator, so K directions are never held at
 * once. {@link #estimate} is both on one machine and therefore gives exactly what a server would
 * rebuild from the reply. The differences travel as float32 ({@link ZoReply}); the coefficient
 * {@code c_k} is computed in double and rounded once to float for the kernel.
 *
 * <p><b>Exactness.</b> Each evaluation perturbs {@code w} in place through {@link NoiseOps#perturb}
 * and restores it with {@link Perturbation#restore()}, so {@code w} is bit-identical before every
 * evaluation and after the call; entries outside the mask are never touched (pruned weights stay
 * exactly zero).
 *
 * @param name for messages
 * @param difference forward or central
 * @param noise the distribution of {@code z} ({@link Noise#SPHERE} for FedZO)
 * @param scale the step s (ε, σ or μ), positive
 * @param dimensionScaled multiply by the active dimension d (sphere estimators)
 * @param clip the ∞-norm bound, or {@code +∞} for none
 */
public record ZoEstimator(String name, Difference difference, Noise noise, float scale, boolean dimensionScaled,
        float clip) {
    /** MeZO's default perturbation ε ({@code zo_eps}). */
    public static final float MEZO_EPSILON = 1e-3f;
    /** BAFFLE's default perturbation σ. */
    public static final float BAFFLE_SIGMA = 1e-4f;
    /** BAFFLE's ∞-norm clip of the estimated gradient. */
    public static final float BAFFLE_CLIP = 0.3f;

    /** Validates. */
    public ZoEstimator {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(difference, "difference");
        Objects.requireNonNull(noise, "noise");
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException(name + ": the perturbation scale must be positive and finite, got "
                    + scale);
        }
        if (!(clip > 0)) {
            throw new IllegalArgumentException(name + ": the clip must be positive (or +Infinity), got " + clip);
        }
    }

    /** Two-point SPSA with Gaussian directions (MeZO): central difference, no clip. */
    public static ZoEstimator spsa(float epsilon) {
        return new ZoEstimator("spsa", Difference.CENTRAL, Noise.GAUSSIAN, epsilon, false, Float.POSITIVE_INFINITY);
    }

    /** BAFFLE's forward-difference estimator with Gaussian directions and the ∞-norm clip 0.3. */
    public static ZoEstimator baffleForward(float sigma) {
        return new ZoEstimator("baffle-forward", Difference.FORWARD, Noise.GAUSSIAN, sigma, false, BAFFLE_CLIP);
    }

    /** BAFFLE's central-difference estimator with Gaussian directions and the ∞-norm clip 0.3. */
    public static ZoEstimator baffleCentral(float sigma) {
        return new ZoEstimator("baffle-central", Difference.CENTRAL, Noise.GAUSSIAN, sigma, false, BAFFLE_CLIP);
    }

    /** FedZO's sphere estimator: forward difference, {@code d/μ} scaling over the active dimension, no clip. */
    public static ZoEstimator fedZo(float mu) {
        return new ZoEstimator("fedzo", Difference.FORWARD, Noise.SPHERE, mu, true, Float.POSITIVE_INFINITY);
    }

    /** The same estimator with another clip ({@code +∞} removes it). */
    public ZoEstimator withClip(float newClip) {
        return new ZoEstimator(name, difference, noise, scale, dimensionScaled, newClip);
    }

    /** Loss evaluations one {@link #respond} costs for K directions: K + 1 (forward) or 2K (central). */
    public long evaluations(int k) {
        return difference == Difference.FORWARD ? k + 1L : 2L * k;
    }

    /**
     * The client's part: the K loss differences along the directions of {@code request}, each
     * evaluation at {@code w} perturbed in place (and restored exactly) on the mask.
     *
     * @param scratch (Output) holds the perturbations' exception lists while they live
     * @param objective evaluated at the perturbed {@code w}
     * @param w (Input) the flat parameters; bit-identical on return
     * @param mask (Input, Optional) the active entries, as many bits as w; null for all
     */
    public ZoReply respond(KernelContext ctx, TensorArena scratch, Objective objective, DenseF32 w, BitMask mask,
            ZoRequest request) {
        float[] diffs = new float[request.k()];
        double base = difference == Difference.FORWARD ? objective.loss(w) : Double.NaN;
        for (int k = 0; k < request.k(); k++) {
            double plus = perturbedLoss(ctx, scratch, objective, w, mask, scale, request.seed(k), request.tensorId());
            double other = difference == Difference.FORWARD ? base
                    : perturbedLoss(ctx, scratch, objective, w, mask, -scale, request.seed(k), request.tensorId());
            diffs[k] = (float) (plus - other);
        }
        return new ZoReply(diffs);
    }

    /**
     * The server's part: {@code g ← Σ_k c_k z_k ⊙ m} (then the clip), streaming one
     * {@link NoiseOps#addNoise} per seed into {@code g}; entries outside the mask end as +0.
     *
     * @param mask (Input, Optional) the same mask the clients used; its cardinality is d for sphere
     *        estimators
     * @param g (Output) the estimate, as many elements as the parameters; overwritten
     */
    public DenseF32 reconstruct(KernelContext ctx, ZoRequest request, ZoReply reply, BitMask mask, DenseF32 g) {
        if (reply.k() != request.k()) {
            throw new IllegalArgumentException(name + ": reply has " + reply.k() + " differences for " + request.k()
                    + " seeds");
        }
        double[] c = new double[request.k()];
        double factor = factor(request.k(), mask == null ? g.size() : mask.cardinality());
        for (int k = 0; k < c.length; k++) {
            c[k] = factor * reply.difference(k);
        }
        g.fill(0f);
        accumulate(ctx, g, mask, request, c, noise);
        clip(ctx, g);
        return g;
    }

    /** Client and server on one machine: {@link #respond} then {@link #reconstruct} into {@code g}. */
    public ZoReply estimate(KernelContext ctx, TensorArena scratch, Objective objective, DenseF32 w, BitMask mask,
            ZoRequest request, DenseF32 g) {
        ZoReply reply = respond(ctx, scratch, objective, w, mask, request);
        reconstruct(ctx, request, reply, mask, g);
        return reply;
    }

    /**
     * {@code factor} of the class comment: {@code D / (K s)} (forward) or {@code D / (2 K s)}
     * (central), D the active dimension for sphere directions and 1 otherwise.
     */
    public double factor(int k, long activeDimension) {
        double f = 1.0 / ((difference == Difference.CENTRAL ? 2.0 : 1.0) * k * scale);
        return dimensionScaled ? f * activeDimension : f;
    }

    /**
     * The seed trick's reconstruction for any coefficients: {@code g += Σ_k c_k z_k ⊙ m}, in seed
     * order, one {@link NoiseOps#addNoise} per seed (each an element-wise
     * {@code fma((float) c_k, z_k(i), g(i))}), never materialising a {@code z_k}.
     */
    public static void accumulate(KernelContext ctx, DenseF32 g, BitMask mask, ZoRequest request, double[] coefficients,
            Noise noise) {
        if (coefficients.length != request.k()) {
            throw new IllegalArgumentException(coefficients.length + " coefficients for " + request.k() + " seeds");
        }
        for (int k = 0; k < coefficients.length; k++) {
            NoiseOps.addNoise(ctx, g, mask, (float) coefficients[k], request.seed(k), request.tensorId(), 0, noise);
        }
    }

    private void clip(KernelContext ctx, DenseF32 g) {
        if (Float.isInfinite(clip)) {
            return;
        }
        float max = VectorOps.normInf(ctx, g);
        if (max > clip) {
            VectorOps.scale(ctx, clip / max, g);
        }
    }

    private static double perturbedLoss(KernelContext ctx, TensorArena scratch, Objective objective, DenseF32 w,
            BitMask mask, float s, long seed, int tensorId, Noise noise) {
        try (Perturbation p = NoiseOps.perturb(ctx, scratch, w, mask, s, seed, tensorId, 0, noise)) {
            double loss = objective.loss(w);
            p.restore();
            return loss;
        }
    }

    private double perturbedLoss(KernelContext ctx, TensorArena scratch, Objective objective, DenseF32 w,
            BitMask mask, float s, long seed, int tensorId) {
        return perturbedLoss(ctx, scratch, objective, w, mask, s, seed, tensorId, noise);
    }
}
