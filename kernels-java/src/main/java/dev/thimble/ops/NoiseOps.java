package dev.thimble.ops;

import dev.thimble.random.Noise;
import dev.thimble.random.NoiseStream;
import dev.thimble.tensor.BitMask;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.TensorArena;
import java.util.Objects;

/**
 * Seeded random perturbations, regenerated from (seed, tensor id, element index) instead of
 * stored: the zeroth-order methods' {@code w += ε·z} (MeZO, BAFFLE, FedZO) and the server's
 * reconstruction {@code Σ c_k z_k}.
 *
 * <p>Element {@code i} of a tensor passed with {@code offset} is element {@code offset + i} of
 * the stream ({@link NoiseStream} documents the layout), so a per-layer view of a flat parameter
 * vector, called with that view's flat offset, gets exactly the values the flat call would; the
 * values do not depend on the provider, the thread count or how a range is split. Entries whose
 * mask bit is unset are skipped (a pruned weight stays pruned).
 *
 * <p>{@link Noise#SPHERE} is the Gaussian stream divided by its norm over the active entries of
 * this call, computed here (not by a provider) as a double sum in index order, so it is identical
 * everywhere; it costs two passes over the stream. To normalise over several tensors (a whole
 * model), add up {@link #gaussianSquaredNorm} of each and pass {@link Noise#GAUSSIAN} with
 * {@code scale / sqrt(total)}.
 *
 * <p>These kernels are memory- or generator-bound and run on the calling thread.
 */
public final class NoiseOps {
    /** Elements generated per scratch chunk when a sphere norm is computed (16 KiB of floats). */
    private static final int NORM_CHUNK = 4096;

    private NoiseOps() {
    }

    /** {@code x[i] += scale·z(offset + i)} where the mask is set (everywhere if it is null). */
    public static void addNoise(KernelContext ctx, DenseF32 x, BitMask mask, float scale, long seed, int tensorId,
            long offset, Noise noise) {
        check("add noise", x, mask, scale, offset, noise);
        float s = kernelScale(ctx, x.size(), mask, scale, seed, tensorId, offset, noise);
        if (s != 0f || noise != Noise.SPHERE) {
            ctx.kernels().addNoise(x, mask, s, seed, tensorId, offset, noise.streamCode());
        }
    }

    /** {@link #addNoise(KernelContext, DenseF32, BitMask, float, long, int, long, Noise)} on the global context. */
    public static void addNoise(DenseF32 x, BitMask mask, float scale, long seed, int tensorId, long offset,
            Noise noise) {
        addNoise(KernelContext.global(), x, mask, scale, seed, tensorId, offset, noise);
    }

    /** {@code out[i] = scale·z(offset + i)} where the mask is set, {@code +0} elsewhere. */
    public static DenseF32 fillNoise(KernelContext ctx, DenseF32 out, BitMask mask, float scale, long seed,
            int tensorId, long offset, Noise noise) {
        check("fill noise", out, mask, scale, offset, noise);
        float s = kernelScale(ctx, out.size(), mask, scale, seed, tensorId, offset, noise);
        ctx.kernels().fillNoise(out, mask, s, seed, tensorId, offset, noise.streamCode());
        return out;
    }

    /** {@link #fillNoise(KernelContext, DenseF32, BitMask, float, long, int, long, Noise)} on the global context. */
    public static DenseF32 fillNoise(DenseF32 out, BitMask mask, float scale, long seed, int tensorId, long offset,
            Noise noise) {
        return fillNoise(KernelContext.global(), out, mask, scale, seed, tensorId, offset, noise);
    }

    /**
     * {@code Σ z(offset + i)²} of the Gaussian stream over the {@code n} entries where the mask is
     * set, summed in double in index order (each square is exact in double), so every provider
     * gives the same bits. Generates the stream once, through a 16 KiB scratch buffer.
     *
     * @param mask (Input, Optional) n bits, or null for all
     */
    public static double gaussianSquaredNorm(KernelContext ctx, long n, BitMask mask, long seed, int tensorId,
            long offset) {
        if (mask != null) {
            Checks.alive(mask);
            if (mask.size() != n) {
                throw new IllegalArgumentException("gaussian norm: " + mask + " has " + mask.size() + " bits for "
                        + n + " elements");
            }
        }
        checkRange("gaussian norm", n, offset);
        double sum = 0;
        try (TensorArena scratch = TensorArena.builder().name("noise-norm").leakCheck(false).build()) {
            DenseF32 buf = scratch.dense((int) Math.min(NORM_CHUNK, Math.max(n, 1)));
            for (long start = 0; start < n; start += NORM_CHUNK) {
                int len = (int) Math.min(NORM_CHUNK, n - start);
                DenseF32 chunk = len == buf.size() ? buf : buf.view(0, len);
                BitMask m = mask == null ? null : mask.view(start, len);
                ctx.kernels().fillNoise(chunk, m, 1f, seed, tensorId, offset + start, NoiseStream.GAUSSIAN);
                // masked-out entries are +0 and leave the sum unchanged: one fixed order for everyone
                for (int i = 0; i < len; i++) {
                    double v = chunk.get(i);
                    sum += v * v;
                }
            }
        }
        return sum;
    }

    /**
     * Perturbs {@code x} in place by {@code scale·z} (like {@link #addNoise}) so that
     * {@link Perturbation#restore()} gives back the original bits exactly; see {@link Perturbation}
     * for the scheme and its memory, which comes from {@code arena}.
     */
    public static Perturbation perturb(KernelContext ctx, TensorArena arena, DenseF32 x, BitMask mask, float scale,
            long seed, int tensorId, long offset, Noise noise) {
        check("perturb", x, mask, scale, offset, noise);
        Objects.requireNonNull(arena, "arena");
        float s = kernelScale(ctx, x.size(), mask, scale, seed, tensorId, offset, noise);
        return Perturbation.apply(ctx, arena, x, mask, s, seed, tensorId, offset, noise.streamCode());
    }

    /** {@link #perturb(KernelContext, TensorArena, DenseF32, BitMask, float, long, int, long, Noise)} on the global context. */
    public static Perturbation perturb(TensorArena arena, DenseF32 x, BitMask mask, float scale, long seed,
            int tensorId, long offset, Noise noise) {
        return perturb(KernelContext.global(), arena, x, mask, scale, seed, tensorId, offset, noise);
    }

    /** The scale handed to the kernels: {@code scale}, or {@code scale / ‖g‖} for a sphere (0 if nothing is active). */
    private static float kernelScale(KernelContext ctx, long n, BitMask mask, float scale, long seed, int tensorId,
            long offset, Noise noise) {
        if (noise != Noise.SPHERE) {
            return scale;
        }
        double norm = Math.sqrt(gaussianSquaredNorm(ctx, n, mask, seed, tensorId, offset));
        return norm == 0 ? 0f : (float) (scale / norm);
    }

    private static void check(String op, DenseF32 x, BitMask mask, float scale, long offset, Noise noise) {
        Objects.requireNonNull(noise, "noise");
        Checks.alive(x);
        if (mask != null) {
            Checks.alive(mask);
            Checks.sameSize(op, x, mask);
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException(op + ": scale must be finite, got " + scale);
        }
        checkRange(op, x.size(), offset);
    }

    private static void checkRange(String op, long n, long offset) {
        if (offset < 0 || n < 0 || offset > Long.MAX_VALUE - n) {
            throw new IllegalArgumentException(op + ": stream range [" + offset + ", " + offset + " + " + n
                    + ") must be within [0, 2^63)");
        }
    }
}
