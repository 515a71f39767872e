package dev.thimble.fl.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * SWAT-U (unstructured) sparse training settings, and the switch that turns it on for a built
 * network: Raihan and Aamodt, "Sparse Weight Activation Training", NeurIPS 2020, as its official
 * code ({@code AamirRaihan/SWAT}, {@code custom_conv.py}, {@code custom_linear.py}) runs it and as
 * ZeroFL (Qiu et al., ICLR 2022) uses it for local training (methods.md §4.1).
 *
 * <p>For every sparsified Linear or Conv2d layer with weight W (n entries) and input X:
 * <ul>
 *   <li>forward {@code Y = X·Ŵ} with {@code Ŵ = W ⊙ 1[|W| ≥ τ_W]} on the CSR kernels (the input X
 *       is <em>not</em> sparsified for the output);</li>
 *   <li>the activation saved for backward is {@code X̂ = X ⊙ 1[|X| ≥ τ_A]}, stored compactly (CSR);</li>
 *   <li>backward {@code dX = dY·Ŵ} (sparse weights) and a <em>dense</em> {@code dW} from X̂, so every
 *       weight moves under the dense SGD update and the top-k set can change.</li>
 * </ul>
 * The thresholds are recomputed every {@code topkPeriod} training forward passes (SWAT's
 * {@code topk_period}, 10) and cached in between: on a refresh batch the kept set is exactly the
 * {@code k = ⌈(1 − s)·n⌉} entries of largest magnitude (ties: lower flat index first, the
 * {@link dev.thimble.ops.MaskOps} rule) and τ becomes the smallest kept magnitude; on the other
 * batches every entry with {@code |x| ≥ τ} is kept (SWAT's comparison against the cached
 * threshold), so the count drifts from k as the weights move, and a τ of 0 keeps only non-zeros.
 * Activations use the same k rule over the whole batch tensor ({@code |X|} = b·features).
 * As in SWAT's configuration the first sparsifiable layer stays dense and the last is sparse.
 *
 * <p>Option {@code zeroDroppedInPlace}: the third-party FL re-implementation
 * ({@code relogu/fl_powerpropagation}, {@code swat_modules.py}) overwrites the dropped weights with
 * zero in the dense parameter at every training forward, so they restart from 0 (they can still
 * re-enter through the dense gradient). Off by default (SWAT keeps them). The re-implementation
 * also fixes the activation threshold on the module's first batch; that detail is not reproduced.
 *
 * @param sparsity s in [0, 1): the fraction of weights and of saved activations dropped
 * @param topkPeriod forward passes between threshold refreshes, at least 1
 * @param zeroDroppedInPlace the re-implementation's variant (see above)
 */
public record Swat(double sparsity, int topkPeriod, boolean zeroDroppedInPlace) {
    /** SWAT's {@code topk_period}. */
    public static final int DEFAULT_TOPK_PERIOD = 10;

    /** Checks the ranges. */
    public Swat {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("SWAT sparsity must be in [0, 1), got " + sparsity);
        }
        if (topkPeriod < 1) {
            throw new IllegalArgumentException("SWAT top-k period must be at least 1 batch, got " + topkPeriod);
        }
    }

    /** SWAT-U at sparsity s with the default period and SWAT's own (not in-place) weight dropping. */
    public Swat(double sparsity) {
        this(sparsity, DEFAULT_TOPK_PERIOD, false);
    }

    /**
     * How many of n entries a top-k refresh keeps: {@code ⌈(1 − s)·n⌉}, at least 1 when n > 0.
     * A tolerance of 1e-9 absorbs the rounding of {@code 1 − s} (0.1·150 must give 15, not 16).
     */
    public long keep(long n) {
        if (n == 0) {
            return 0;
        }
        long k = (long) Math.ceil((1 - sparsity) * n - 1e-9);
        return Math.clamp(k, 1, n);
    }

    /**
     * Turns SWAT on for every top-level {@link SwatLayer} of a built training network except the
     * first (SWAT's {@code sparsify_first_layer False}), or off again when {@code settings} is null.
     * Turning it off frees the layers' SWAT buffers; do so before closing the network.
     *
     * @return the names of the layers now running SWAT, in order
     */
    public static List<String> apply(Network network, Swat settings) {
        List<String> on = new ArrayList<>();
        boolean first = true;
        for (Layer l : network.layers()) {
            if (l instanceof SwatLayer s) {
                if (settings != null && !first) {
                    s.setSwat(settings);
                    on.add(l.name());
                } else {
                    s.setSwat(null);
                }
                first = false;
            }
        }
        return on;
    }
}
