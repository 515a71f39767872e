package dev.thimble.fl.optim;

import dev.thimble.fl.nn.Parameters;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Adam with PyTorch's semantics ({@code torch.optim.Adam}, amsgrad off) at step t:
 * {@code g = ∇ + wd·θ} (L2 weight decay through the gradient), {@code m = β1·m + (1−β1)·g},
 * {@code v = β2·v + (1−β2)·g²}, {@code θ −= (lr / (1−β1ᵗ))·m / (√v / √(1−β2ᵗ) + eps)}, in
 * float, in PyTorch's order of operations. {@link #adamW} makes the decoupled variant
 * ({@code torch.optim.AdamW}): {@code θ *= 1 − lr·wd} first, and the gradient is used as is.
 *
 * <p>Memory: the two moment buffers, one float per parameter each, allocated from the arena given
 * at construction. The update is one fused pass (no {@code VectorOps} primitive fits it).
 */
public final class Adam implements Optimizer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final DenseF32 values;
    private final DenseF32 grads;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final boolean decoupled;
    private final DenseF32 m;
    private final DenseF32 v;
    private float lr;
    private long t;
    private BitMask mask;

    /**
     * Adam with L2 weight decay added to the gradient (PyTorch's {@code Adam}).
     *
     * @param params the parameters (of a network built for training)
     * @param arena where the two moment buffers are allocated
     * @param lr learning rate
     * @param beta1 first-moment decay, e.g. 0.9
     * @param beta2 second-moment decay, e.g. 0.999
     * @param eps denominator offset, e.g. 1e-8
     * @param weightDecay L2 coefficient
     */
    public Adam(Parameters params, TensorArena arena, float lr, float beta1, float beta2, float eps,
            float weightDecay) {
        this(params, arena, lr, beta1, beta2, eps, weightDecay, false);
    }

    private Adam(Parameters params, TensorArena arena, float lr, float beta1, float beta2, float eps,
            float weightDecay, boolean decoupled) {
        if (params.grads() == null) {
            throw new IllegalArgumentException("Adam: the parameters have no gradients (network built for inference)");
        }
        if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)
                || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Adam: invalid hyperparameters lr " + lr + ", betas (" + beta1 + ", "
                    + beta2 + "), eps " + eps + ", weight decay " + weightDecay);
        }
        this.values = params.values();
        this.grads = params.grads();
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        int n = Math.toIntExact(values.size());
        this.m = arena.dense(n);
        DenseF32 second;
        try {
            second = arena.dense(n);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        this.v = second;
    }

    /** AdamW (PyTorch's {@code AdamW}): weight decay applied to the parameters, decoupled from the gradient. */
    public static Adam adamW(Parameters params, TensorArena arena, float lr, float beta1, float beta2, float eps,
            float weightDecay) {
        return new Adam(params, arena, lr, beta1, beta2, eps, weightDecay, true);
    }

    /** Steps taken since construction or the last {@link #reset}. */
    public long steps() {
        return t;
    }

    @Override
    public void step() {
        t++;
        float bc1 = (float) (1 - Math.pow(beta1, t));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float stepSize = lr / bc1;
        float b1 = beta1;
        float b2 = beta2;
        float e = eps;
        float l2 = decoupled ? 0f : weightDecay;
        float shrink = decoupled ? 1f - lr * weightDecay : 1f;
        MemorySegment p = values.segment();
        MemorySegment g = grads.segment();
        MemorySegment ms = m.segment();
        MemorySegment vs = v.segment();
        MemorySegment words = mask == null ? null : mask.words();
        long bitOffset = mask == null ? 0 : mask.bitOffset();
        for (long i = 0, n = values.size(); i < n; i++) {
            if (words != null && !MaskBits.get(words, bitOffset, i)) {
                ms.setAtIndex(F, i, 0f);
                vs.setAtIndex(F, i, 0f);
                continue;
            }
            float pi = p.getAtIndex(F, i) * shrink;
            float gi = g.getAtIndex(F, i) + l2 * pi;
            float mi = b1 * ms.getAtIndex(F, i) + (1 - b1) * gi;
            float vi = b2 * vs.getAtIndex(F, i) + (1 - b2) * gi * gi;
            ms.setAtIndex(F, i, mi);
            vs.setAtIndex(F, i, vi);
            p.setAtIndex(F, i, pi - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + e));
        }
    }

    @Override
    public float learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(float lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("Adam: learning rate must be non-negative, got " + lr);
        }
        this.lr = lr;
    }

    @Override
    public void setMask(BitMask mask) {
        this.mask = MaskBits.check(mask, values.size(), "Adam");
    }

    @Override
    public void reset() {
        m.fill(0f);
        v.fill(0f);
        t = 0;
    }

    @Override
    public void close() {
        m.close();
        v.close();
    }
}
