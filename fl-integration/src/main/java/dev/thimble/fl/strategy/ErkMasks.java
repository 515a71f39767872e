package dev.thimble.fl.strategy;

import dev.thimble.fl.nn.Param;
import dev.thimble.tensor.BitMask;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Erdős–Rényi-Kernel random masks, FedDIP's round-0 client masks (arXiv:2309.06805; code
 * {@code calculate_sparsities} + {@code init_masks}, methods.md §3.1 step 3): layer l gets density
 * {@code ε·raw_l} with {@code raw_l = Σ dims_l / Π dims_l} (ERK power 1) and ε chosen so the
 * overall density is ρ; a layer whose density would exceed 1 is made dense and ε recomputed.
 * The positions of each layer are the first {@code ⌊density_l·n_l⌋} of a seeded Fisher–Yates
 * permutation (the code's {@code randperm}; truncation, Python's {@code int()}, reproduces the
 * derived LeNet-5 counts 1259, 20459 and 8026, where rounding would give 20460).
 */
public final class ErkMasks {
    private ErkMasks() {
    }

    /**
     * Per-layer densities for overall density ρ.
     *
     * @param shapes the prunable weights' shapes
     * @param density ρ in (0, 1]
     */
    public static double[] densities(List<int[]> shapes, double density) {
        if (!(density > 0 && density <= 1)) {
            throw new IllegalArgumentException("ERK density must be in (0, 1], got " + density);
        }
        int m = shapes.size();
        double[] raw = new double[m];
        long[] n = new long[m];
        for (int l = 0; l < m; l++) {
            long sum = 0;
            long prod = 1;
            for (int d : shapes.get(l)) {
                sum += d;
                prod *= d;
            }
            raw[l] = (double) sum / prod;
            n[l] = prod;
        }
        Set<Integer> dense = new HashSet<>();
        double eps;
        while (true) {
            double divisor = 0;
            double rhs = 0;
            double maxRaw = 0;
            for (int l = 0; l < m; l++) {
                if (dense.contains(l)) {
                    rhs -= n[l] * (1 - density);
                } else {
                    rhs += n[l] * density;
                    divisor += raw[l] * n[l];
                    maxRaw = Math.max(maxRaw, raw[l]);
                }
            }
            if (divisor == 0) {
                eps = 0;
                break;
            }
            eps = rhs / divisor;
            if (maxRaw * eps > 1) {
                for (int l = 0; l < m; l++) {
                    if (!dense.contains(l) && raw[l] == maxRaw) {
                        dense.add(l);
                    }
                }
            } else {
                break;
            }
        }
        double[] out = new double[m];
        for (int l = 0; l < m; l++) {
            out[l] = dense.contains(l) ? 1.0 : eps * raw[l];
        }
        return out;
    }

    /** The number of kept weights of a layer of n weights at this density: {@code ⌊density·n⌋}. */
    public static long keptCount(double density, long n) {
        return Math.min(n, (long) Math.floor(density * n));
    }

    /**
     * Sets in {@code flatMask} (one bit per parameter of the network) every non-prunable
     * parameter and an ERK random subset of each prunable one.
     *
     * @param params the network's parameters, in order
     * @param density ρ = 1 − s_0
     * @param seed the client's seed (so masks differ per client)
     * @param flatMask (Output) the mask
     */
    public static void fill(List<Param> params, double density, long seed, BitMask flatMask) {
        flatMask.fill(true);
        List<Param> prunable = params.stream().filter(Param::prunable).toList();
        List<int[]> shapes = new ArrayList<>();
        for (Param p : prunable) {
            shapes.add(p.value().shape());
        }
        double[] dens = densities(shapes, density);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int l = 0; l < prunable.size(); l++) {
            Param p = prunable.get(l);
            int n = Math.toIntExact(p.size());
            long keep = keptCount(dens[l], n);
            if (keep == n) {
                continue;
            }
            int[] perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (int i = (int) keep; i < n; i++) {
                flatMask.set(p.offset() + perm[i], false);
            }
        }
    }
}
