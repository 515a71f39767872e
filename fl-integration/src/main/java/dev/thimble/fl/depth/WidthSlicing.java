package dev.thimble.fl.depth;

import dev.thimble.fl.nn.Model;
import dev.thimble.fl.nn.Models;
import dev.thimble.fl.nn.ParamSpec;
import dev.thimble.tensor.DenseF32;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HeteroFL's width slimming of a PreResNet: the sub-network of width w keeps the first
 * {@code ⌈w·c⌉} channels of every layer (input channels and classes stay whole), so each of its
 * parameters is the leading sub-box of the full parameter of the same name. Extraction copies
 * those sub-boxes out; aggregation averages every full entry over the clients whose sub-network
 * holds it, example-weighted, and leaves entries nobody holds as they were (HeteroFL's rule).
 */
public final class WidthSlicing {
    private WidthSlicing() {
    }

    /** {@code ⌈w·c⌉}, at least 1 (with a little tolerance, so 0.5·16 is 8, not 9). */
    public static int width(int channels, double w) {
        if (!(w > 0 && w <= 1)) {
            throw new IllegalArgumentException("a width multiplier must be in (0, 1], got " + w);
        }
        return Math.max(1, (int) Math.ceil(w * channels - 1e-9));
    }

    /**
     * The width-{@code w} sub-network of a PreResNet built by {@link Models#preResNet} (or
     * {@link Models#preResNet20}): read from its parameter shapes, rebuilt with scaled widths and
     * the same downsampling. {@code w = 1} returns {@code full}.
     */
    public static Model slim(Model full, double w) {
        width(1, w);
        if (w == 1) {
            return full;
        }
        Map<String, int[]> shapes = shapes(full.parameterSpecs());
        int[] stem = shapes.get("conv1.weight");
        int[] fc = shapes.get("fc.weight");
        List<Integer> widths = new ArrayList<>();
        for (int i = 1; shapes.containsKey("block" + i + ".conv1.weight"); i++) {
            widths.add(shapes.get("block" + i + ".conv1.weight")[0]);
        }
        if (stem == null || fc == null || widths.isEmpty()) {
            throw new IllegalArgumentException(full.name() + " is not a PreResNet (conv1, block1.., fc); width"
                    + " slimming is implemented for PreResNets only");
        }
        int[] scaled = new int[widths.size()];
        boolean[] strided = new boolean[widths.size()];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = width(widths.get(i), w);
            strided[i] = i > 0 && !widths.get(i).equals(widths.get(i - 1));
        }
        return Models.preResNet(full.name() + "-x" + w, full.inputShape(), fc[0], width(stem[0], w), scaled, strided);
    }

    /**
     * Copies the sub-network's parameters out of the full vector.
     *
     * @param fullSpecs (Input) the full model's parameters, in flat order
     * @param full (Input) the full flat vector. Not modified.
     * @param slimSpecs (Input) the sub-network's parameters, in flat order
     * @param out (Output) the sub-network's flat vector
     */
    public static void extract(List<ParamSpec> fullSpecs, DenseF32 full, List<ParamSpec> slimSpecs, DenseF32 out) {
        long[] map = indexMap(fullSpecs, slimSpecs);
        check(out, map.length, "sub-network vector");
        for (int i = 0; i < map.length; i++) {
            out.set(i, full.get(map[i]));
        }
    }

    /**
     * HeteroFL's aggregation: entry i of the global vector becomes
     * {@code Σ_k n_k·x_k[i] / Σ_k n_k} over the clients k whose sub-network holds i; entries no
     * client holds keep their value. Sums run in double.
     *
     * @param fullSpecs (Input) the full model's parameters
     * @param global (Input/Output) the previous global vector on entry, the aggregate on return
     * @param slimSpecs (Input) each client's sub-network parameters
     * @param slims (Input) each client's trained sub-network vector. Not modified.
     * @param weights (Input) each client's weight n_k ≥ 0
     */
    public static void aggregate(List<ParamSpec> fullSpecs, DenseF32 global, List<List<ParamSpec>> slimSpecs,
            List<DenseF32> slims, float[] weights) {
        if (slimSpecs.size() != slims.size() || weights.length != slims.size() || slims.isEmpty()) {
            throw new IllegalArgumentException("aggregation needs one spec list, vector and weight per client, got "
                    + slimSpecs.size() + ", " + slims.size() + ", " + weights.length);
        }
        int d = Math.toIntExact(global.size());
        double[] num = new double[d];
        double[] den = new double[d];
        for (int k = 0; k < slims.size(); k++) {
            if (!(weights[k] >= 0) || !Float.isFinite(weights[k])) {
                throw new IllegalArgumentException("aggregation weights must be finite and non-negative, got "
                        + weights[k]);
            }
            long[] map = indexMap(fullSpecs, slimSpecs.get(k));
            DenseF32 x = slims.get(k);
            check(x, map.length, "client " + k + "'s vector");
            for (int i = 0; i < map.length; i++) {
                int j = (int) map[i];
                num[j] += (double) weights[k] * x.get(i);
                den[j] += weights[k];
            }
        }
        for (int j = 0; j < d; j++) {
            if (den[j] > 0) {
                global.set(j, (float) (num[j] / den[j]));
            }
        }
    }

    /** For each entry of the sub-network's flat vector, its index in the full flat vector. */
    static long[] indexMap(List<ParamSpec> fullSpecs, List<ParamSpec> slimSpecs) {
        Map<String, long[]> offsets = new HashMap<>();
        Map<String, int[]> fullShapes = shapes(fullSpecs);
        long offset = 0;
        for (ParamSpec p : fullSpecs) {
            offsets.put(p.name(), new long[] {offset});
            offset += p.size();
        }
        long total = slimSpecs.stream().mapToLong(ParamSpec::size).sum();
        long[] map = new long[Math.toIntExact(total)];
        int at = 0;
        for (ParamSpec p : slimSpecs) {
            int[] f = fullShapes.get(p.name());
            int[] s = p.shape();
            if (f == null || f.length != s.length) {
                throw new IllegalArgumentException("sub-network parameter " + p.name() + Arrays.toString(s)
                        + " has no counterpart of the same rank in the full model");
            }
            long[] strides = new long[f.length];
            long stride = 1;
            for (int r = f.length - 1; r >= 0; r--) {
                if (s[r] > f[r]) {
                    throw new IllegalArgumentException("sub-network parameter " + p.name() + Arrays.toString(s)
                            + " is larger than the full one " + Arrays.toString(f));
                }
                strides[r] = stride;
                stride *= f[r];
            }
            long base = offsets.get(p.name())[0];
            int[] idx = new int[s.length];
            for (long i = 0; i < p.size(); i++) {
                long pos = base;
                for (int r = 0; r < s.length; r++) {
                    pos += idx[r] * strides[r];
                }
                map[at++] = pos;
                for (int r = s.length - 1; r >= 0; r--) { // row-major increment
                    if (++idx[r] < s[r]) {
                        break;
                    }
                    idx[r] = 0;
                }
            }
        }
        return map;
    }

    private static Map<String, int[]> shapes(List<ParamSpec> specs) {
        Map<String, int[]> out = new HashMap<>();
        for (ParamSpec p : specs) {
            out.put(p.name(), p.shape());
        }
        return out;
    }

    private static void check(DenseF32 v, int expected, String what) {
        if (v.size() != expected) {
            throw new IllegalArgumentException(what + " has " + v.size() + " entries, the sub-network " + expected);
        }
    }
}
