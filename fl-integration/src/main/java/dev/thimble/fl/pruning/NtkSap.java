package dev.thimble.fl.pruning;

import dev.thimble.fl.nn.Network;
import dev.thimble.fl.nn.Parameters;
import dev.thimble.ops.KernelContext;
import dev.thimble.ops.NoiseOps;
import dev.thimble.ops.Perturbation;
import dev.thimble.ops.VectorOps;
import dev.thimble.random.Noise;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The NTK-SAP saliency (Wang et al., "NTK-SAP: Improving Neural Network Pruning by Aligning
 * Training Dynamics", ICLR 2023), computed with back-propagation.
 *
 * <p><b>Proxy.</b> A finite-difference stand-in for the trace of the NTK, data-free:
 *
 * <pre>
 *   S(m) = Σ_draws ‖ f(X; θ⊙m) − f(X; θ'⊙m) ‖²,   θ' = θ + εΔ
 *   X ~ N(0, I) shaped like a data batch, θ ~ the model's initialisation (fresh for every draw),
 *   Δ ~ N(0, I) on the active prunable weights, ‖·‖² summed over the batch and the outputs.
 * </pre>
 *
 * For a small ε, {@code E_Δ[S]/ε² ≈ Σ_i ‖∂f(x_i)/∂w‖²} over the prunable weights: the trace of
 * the NTK restricted to them, which is what NTK-SAP wants to keep large.
 *
 * <p><b>Saliency.</b> The mask is shared by the two networks, so with {@code r = f(X; W1) −
 * f(X; W2)}, {@code W1 = θ⊙m}, {@code W2 = θ'⊙m}:
 *
 * <pre>
 *   ∂S/∂m = (J_{W1}ᵀ 2r) ⊙ θ + (J_{W2}ᵀ (−2r)) ⊙ θ'
 * </pre>
 *
 * i.e. one backward pass per network with upstream gradient +2r resp. −2r, weight gradients
 * multiplied element-wise by θ resp. θ', summed. One training {@link Network} plays both networks:
 * forward at W1 (keep y1), perturb to W2 in place, forward (y2), backward with −2r, restore W1
 * exactly ({@link Perturbation}), forward again (the activations of W1 are needed for its
 * backward pass), backward with +2r. That is three forwards instead of two, in exchange for the
 * activation memory of a second network. Draws add up.
 *
 * <p><b>Differences from the reference code.</b> Normalisation layers are used as the network
 * has them: Thimble's batch-statistics BatchNorm normalises each of the two networks with its
 * own batch statistics, where the reference evaluates both with the statistics of the
 * unperturbed one; GroupNorm has no such state. Δ is drawn from Thimble's seeded Gaussian stream
 * over the flat parameter vector (stream id 2), X from the stream of id 1; θ from
 * {@link Parameters#initialize(long)}.
 *
 * <p>The network's parameter values are scratch: every draw overwrites them with fresh weights.
 * Score the mask with a dedicated network and apply it to the weights you keep (foresight pruning
 * keeps the original initialisation).
 */
public final class NtkSap implements Saliency, AutoCloseable {
    /** NTK-SAP's default perturbation ε. */
    public static final float DEFAULT_EPSILON = 0.01f;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Network net;
    private final KernelContext ctx;
    private final TensorArena scratch;
    private final float epsilon;
    private final int draws;
    private final DenseF32 input;
    private final DenseF32 first;
    private final DenseF32 residual;
    private final BitMask prunable;

    /**
     * @param net a network built for training (backward passes), whose values are scratch
     * @param scratch (Output) the Gaussian batch, two output buffers, masks and exception lists
     * @param batch samples in the Gaussian batch (NTK-SAP: 256, or 10 × classes)
     * @param epsilon the perturbation ε of θ' = θ + εΔ
     * @param draws independent (θ, X, Δ) draws summed per call (NTK-SAP: R × batches)
     */
    public NtkSap(Network net, KernelContext ctx, TensorArena scratch, int batch, float epsilon, int draws) {
        this.net = Objects.requireNonNull(net, "net");
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.scratch = Objects.requireNonNull(scratch, "scratch");
        if (batch < 1 || batch > net.maxBatch()) {
            throw new IllegalArgumentException("batch " + batch + " outside [1, " + net.maxBatch() + "]");
        }
        if (!(epsilon > 0) || draws < 1) {
            throw new IllegalArgumentException("need ε > 0 and at least one draw, got " + epsilon + ", " + draws);
        }
        if (net.parameters().grads() == null) {
            throw new IllegalArgumentException("NTK-SAP needs a network built for training (backward passes)");
        }
        this.epsilon = epsilon;
        this.draws = draws;
        this.input = gaussianBatch(scratch, net, batch);
        int out = Math.toIntExact(batch * size(net.outputShape()));
        this.first = scratch.dense(out);
        this.residual = scratch.dense(out);
        this.prunable = ParamMasks.prunable(net.parameters(), scratch);
    }

    /** A [batch, input...] tensor from {@code arena} for the model's Gaussian inputs. */
    static DenseF32 gaussianBatch(TensorArena arena, Network net, int batch) {
        int[] in = net.model().inputShape();
        int[] shape = new int[in.length + 1];
        shape[0] = batch;
        System.arraycopy(in, 0, shape, 1, in.length);
        return arena.dense(shape);
    }

    /** Fills {@code x} with the N(0, I) batch of a seed (stream id {@link Draws#INPUT_TENSOR}). */
    static void fillInput(KernelContext ctx, DenseF32 x, long seed) {
        NoiseOps.fillNoise(ctx, x, null, 1f, seed, Draws.INPUT_TENSOR, 0, Noise.GAUSSIAN);
    }

    /** The Gaussian input batch this object uses (its contents are those of the last draw). */
    public DenseF32 input() {
        return input;
    }

    /**
     * The proxy {@code S = ‖f(X; w) − f(X; w + εΔ⊙a)‖²} for the network's current values w, the
     * batch {@code x} and one Δ (seed {@code deltaSeed}), a = the active prunable weights of
     * {@code mask}. The values are bit-identical afterwards.
     */
    public double proxy(DenseF32 x, BitMask mask, long deltaSeed) {
        DenseF32 y1 = first.view(0, outputSize(x));
        y1.copyFrom(net.forward(x).reshape(Math.toIntExact(y1.size())));
        try (BitMask active = ParamMasks.and(mask, prunable, scratch);
                Perturbation p = NoiseOps.perturb(ctx, scratch, net.parameters().values(), active, epsilon,
                        deltaSeed, Draws.DELTA_TENSOR, 0, Noise.GAUSSIAN)) {
            DenseF32 y2 = net.forward(x);
            double s = squaredDistance(y1, y2);
            p.restore();
            return s;
        }
    }

    @Override
    public void gradient(BitMask mask, long seed, DenseF32 out) {
        Parameters params = net.parameters();
        DenseF32 w = params.values();
        out.fill(0f);
        try (BitMask active = ParamMasks.and(mask, prunable, scratch)) {
            for (int r = 0; r < draws; r++) {
                params.initialize(Draws.theta(seed, r));
                VectorOps.applyMask(ctx, w, mask);
                fillInput(ctx, input, Draws.input(seed, r));
                int b = input.dim(0);
                DenseF32 y1 = first.view(0, outputSize(input));
                DenseF32 res = residual.view(0, outputSize(input));
                y1.copyFrom(net.forward(input).reshape(Math.toIntExact(y1.size())));
                try (Perturbation p = NoiseOps.perturb(ctx, scratch, w, active, epsilon, Draws.delta(seed, r),
                        Draws.DELTA_TENSOR, 0, Noise.GAUSSIAN)) {
                    DenseF32 y2 = net.forward(input);
                    // res = r = y1 − y2; the perturbed network's upstream gradient is ∂S/∂y2 = −2r
                    residualAndGradient(y1, y2, res, net.outputGradient(b), -2f);
                    params.zeroGrads();
                    net.backward();
                    addProduct(params.grads(), w, out); // (J_{W2}ᵀ(−2r)) ⊙ θ'  (w holds θ'⊙m now)
                    p.restore();
                }
                net.forward(input); // the activations of W1 = θ⊙m, bit-identical to the first pass
                scaleInto(res, 2f, net.outputGradient(b)); // ∂S/∂y1 = +2r
                params.zeroGrads();
                net.backward();
                addProduct(params.grads(), w, out); // (J_{W1}ᵀ 2r) ⊙ θ
            }
            VectorOps.applyMask(ctx, out, active);
        }
    }

    private int outputSize(DenseF32 x) {
        return Math.toIntExact(x.dim(0) * size(net.outputShape()));
    }

    static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** {@code Σ (a − b)²} in double over the flat elements. */
    static double squaredDistance(DenseF32 a, DenseF32 b) {
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        double s = 0;
        for (long i = 0, n = a.size(); i < n; i++) {
            double d = as.getAtIndex(F, i) - bs.getAtIndex(F, i);
            s += d * d;
        }
        return s;
    }

    /** {@code res = y1 − y2; grad = c·res}. */
    private static void residualAndGradient(DenseF32 y1, DenseF32 y2, DenseF32 res, DenseF32 grad, float c) {
        MemorySegment a = y1.segment();
        MemorySegment b = y2.segment();
        MemorySegment r = res.segment();
        MemorySegment g = grad.segment();
        for (long i = 0, n = res.size(); i < n; i++) {
            float d = a.getAtIndex(F, i) - b.getAtIndex(F, i);
            r.setAtIndex(F, i, d);
            g.setAtIndex(F, i, c * d);
        }
    }

    private static void scaleInto(DenseF32 src, float c, DenseF32 dst) {
        MemorySegment s = src.segment();
        MemorySegment d = dst.segment();
        for (long i = 0, n = src.size(); i < n; i++) {
            d.setAtIndex(F, i, c * s.getAtIndex(F, i));
        }
    }

    /** {@code out += g ⊙ w}. */
    static void addProduct(DenseF32 g, DenseF32 w, DenseF32 out) {
        MemorySegment gs = g.segment();
        MemorySegment ws = w.segment();
        MemorySegment os = out.segment();
        for (long i = 0, n = out.size(); i < n; i++) {
            os.setAtIndex(F, i, Math.fma(gs.getAtIndex(F, i), ws.getAtIndex(F, i), os.getAtIndex(F, i)));
        }
    }

    /** Frees the buffers this object allocated from its scratch arena (not the network). */
    @Override
    public void close() {
        input.close();
        first.close();
        residual.close();
        prunable.close();
    }
}
