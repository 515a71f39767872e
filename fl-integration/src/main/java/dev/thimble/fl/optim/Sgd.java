package dev.thimble.fl.optim;

import dev.thimble.fl.nn.Parameters;
import dev.thimble.ops.VectorOps;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Stochastic gradient descent with PyTorch's semantics ({@code torch.optim.SGD}, dampening 0):
 * {@code g = ∇ + wd·θ}; with momentum μ ≠ 0, {@code buf = μ·buf + g} (buf starts at 0, which
 * equals PyTorch's first-step {@code buf = g}) and {@code g = buf}, or {@code g + μ·buf} for
 * Nesterov; then {@code θ −= lr·g}.
 *
 * <p>Memory: a momentum buffer of one float per parameter, allocated from the arena given at
 * construction when μ ≠ 0 (none for plain SGD). Plain SGD without weight decay is one
 * {@link VectorOps#axpy} (or masked axpy); everything else is one fused pass over the vectors,
 * which reads each array once instead of once per elementary operation.
 */
public final class Sgd implements Optimizer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final DenseF32 values;
    private final DenseF32 grads;
    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;
    private final DenseF32 buffer; // null without momentum
    private float lr;
    private BitMask mask;

    /** SGD without Nesterov momentum. */
    public Sgd(Parameters params, TensorArena arena, float lr, float momentum, float weightDecay) {
        this(params, arena, lr, momentum, weightDecay, false);
    }

    /**
     * SGD on a network's flat parameters.
     *
     * @param params the parameters (of a network built for training)
     * @param arena where the momentum buffer is allocated
     * @param lr learning rate
     * @param momentum μ ≥ 0 (0 for plain SGD)
     * @param weightDecay L2 coefficient added to the gradient
     * @param nesterov Nesterov momentum (needs μ &gt; 0)
     */
    public Sgd(Parameters params, TensorArena arena, float lr, float momentum, float weightDecay, boolean nesterov) {
        if (params.grads() == null) {
            throw new IllegalArgumentException("SGD: the parameters have no gradients (network built for inference)");
        }
        if (!(lr >= 0) || !(momentum >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("SGD: lr, momentum and weight decay must be non-negative, got " + lr
                    + ", " + momentum + ", " + weightDecay);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a positive momentum");
        }
        this.values = params.values();
        this.grads = params.grads();
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffer = momentum != 0 ? arena.dense(Math.toIntExact(values.size())) : null;
    }

    @Override
    public void step() {
        if (buffer == null && weightDecay == 0) {
            if (mask == null) {
                VectorOps.axpy(-lr, grads, values);
            } else {
                VectorOps.maskedAxpy(-lr, grads, mask, values);
            }
            return;
        }
        MemorySegment p = values.segment();
        MemorySegment g = grads.segment();
        MemorySegment m = buffer == null ? null : buffer.segment();
        MemorySegment words = mask == null ? null : mask.words();
        long bitOffset = mask == null ? 0 : mask.bitOffset();
        float mu = momentum;
        float wd = weightDecay;
        float rate = lr;
        long n = values.size();
        if (m == null) {
            for (long i = 0; i < n; i++) {
                if (words == null || MaskBits.get(words, bitOffset, i)) {
                    float pi = p.getAtIndex(F, i);
                    p.setAtIndex(F, i, pi - rate * (g.getAtIndex(F, i) + wd * pi));
                }
            }
            return;
        }
        for (long i = 0; i < n; i++) {
            if (words != null && !MaskBits.get(words, bitOffset, i)) {
                m.setAtIndex(F, i, 0f);
                continue;
            }
            float pi = p.getAtIndex(F, i);
            float gi = g.getAtIndex(F, i) + wd * pi;
            float bi = mu * m.getAtIndex(F, i) + gi;
            m.setAtIndex(F, i, bi);
            p.setAtIndex(F, i, pi - rate * (nesterov ? gi + mu * bi : bi));
        }
    }

    @Override
    public float learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(float lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("SGD: learning rate must be non-negative, got " + lr);
        }
        this.lr = lr;
    }

    @Override
    public void setMask(BitMask mask) {
        this.mask = MaskBits.check(mask, values.size(), "SGD");
    }

    @Override
    public void reset() {
        if (buffer != null) {
            buffer.fill(0f);
        }
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
        }
    }
}
