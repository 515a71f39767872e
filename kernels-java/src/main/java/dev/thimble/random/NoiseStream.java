package dev.thimble.random;

/**
 * The layout of Thimble's noise streams and their reference (scalar) generator: every provider
 * (scalar Java, Vector API, C on every SIMD tier) must produce exactly these bits.
 *
 * <p><b>Philox inputs.</b> Key = the 64-bit seed as two words, {@code (low 32 bits, high 32 bits)}.
 * Counter = {@code (block index low word, block index high word, tensor id, stream code)}, where
 * the stream code is {@link #RADEMACHER} (0), {@link #GAUSSIAN} (1) or {@link #UNIFORM} (2), so the
 * three distributions of one (seed, tensor) are independent streams. Element indices are
 * non-negative longs; a kernel call on elements {@code [0, n)} of a tensor with {@code offset}
 * uses indices {@code offset + i}, so a per-layer view of a flat vector regenerates the flat
 * vector's values.
 *
 * <p><b>Rademacher</b> (128 elements per block): element {@code e} takes bit {@code e & 31} of
 * word {@code (e >> 5) & 3} of block {@code e >> 7}; a set bit gives −1, a clear one +1.
 *
 * <p><b>Gaussian and uniform</b> (64 elements per group of 16 blocks): element {@code e} lies in
 * group {@code g = e >> 6} at {@code t = e & 63}; it reads word {@code k = t >> 4} of block
 * {@code 16·g + (t & 15)}. So the 16 blocks of a group sit in 16 "lanes" and each of the four
 * words fills 16 consecutive elements: a SIMD kernel with 4, 8 or 16 lanes computes the blocks of
 * a group in its lanes and stores every result vector contiguously, with no transposition and no
 * dependence on its own width.
 * <ul>
 * <li>Uniform: {@code z = (2·(w >>> 8) − (2²⁴ − 1)) · fl(√3·2⁻²⁴)}: odd multiples of 2⁻²⁴ in
 * (−1, 1), exactly symmetric, scaled to unit variance by one float multiply.
 * <li>Gaussian: words 0 and 1 of a block form one Box–Muller pair, words 2 and 3 another;
 * {@code k = 0, 1} are the cosine and sine outputs of the first pair, {@code k = 2, 3} those of the
 * second: {@code r = √(−2·ln u)}, {@code u = ((a >>> 8) + 1)·2⁻²⁴ ∈ [2⁻²⁴, 1]}, angle
 * {@code 2π·(b >>> 8)·2⁻²⁴}, computed by {@link NoiseMath} (|z| ≤ 5.77).
 * </ul>
 *
 * <p><b>Why the bits agree everywhere.</b> Only integer operations, int-to-float conversions of
 * values below 2²⁴ (exact), and IEEE-754 single operations that are correctly rounded on every
 * platform are used: +, −, ×, ÷, fused multiply-add and square root, in the fixed order of
 * {@link NoiseMath}. No library {@code log}/{@code sin}/{@code cos} (those differ between libm,
 * {@code StrictMath} and intrinsics), no contraction of a·b+c into an FMA the source does not
 * spell (the C tiers compile with {@code -ffp-contract=off}), no flush-to-zero.
 *
 * <p><b>Applying.</b> {@code addNoise} computes {@code x[i] = fma(scale, z, x[i])} (one rounding);
 * for Rademacher that equals {@code x[i] ± scale}. {@code fillNoise} writes {@code scale·z}.
 */
public final class NoiseStream {
    /** Stream code of the Rademacher stream. */
    public static final int RADEMACHER = 0;
    /** Stream code of the Gaussian stream (also used by sphere directions). */
    public static final int GAUSSIAN = 1;
    /** Stream code of the uniform stream. */
    public static final int UNIFORM = 2;

    private NoiseStream() {
    }

    /** The Philox words of {@code block} of stream {@code code}, into {@code out[off..off+3]}. */
    public static void block(long seed, int tensorId, int code, long block, int[] out, int off) {
        Philox4x32.block((int) block, (int) (block >>> 32), tensorId, code, (int) seed, (int) (seed >>> 32), out, off);
    }

    /** The value of element {@code index} of the stream {@code code} (reference, one element at a time). */
    public static float value(int code, long seed, int tensorId, long index) {
        if (index < 0) {
            throw new IllegalArgumentException("element index must be non-negative, got " + index);
        }
        int[] w = new int[4];
        switch (code) {
            case RADEMACHER -> {
                block(seed, tensorId, code, index >>> 7, w, 0);
                return rademacher(w[(int) (index >>> 5) & 3], (int) index & 31);
            }
            case GAUSSIAN, UNIFORM -> {
                int t = (int) index & 63;
                block(seed, tensorId, code, ((index >>> 6) << 4) + (t & 15), w, 0);
                int k = t >>> 4;
                if (code == UNIFORM) {
                    return NoiseMath.uniform(w[k]);
                }
                int a = w[k & 2], b = w[(k & 2) + 1];
                return (k & 1) == 0 ? NoiseMath.gaussianCos(a, b) : NoiseMath.gaussianSin(a, b);
            }
            default -> throw new IllegalArgumentException("unknown noise stream code " + code);
        }
    }

    /** The value of element {@code index} of {@code noise} ({@link Noise#SPHERE}: the unnormalised Gaussian). */
    public static float value(Noise noise, long seed, int tensorId, long index) {
        return value(noise.streamCode(), seed, tensorId, index);
    }

    /** Rademacher value of bit {@code bit} of {@code word}: −1 when set. */
    static float rademacher(int word, int bit) {
        return ((word >>> bit) & 1) != 0 ? -1f : 1f;
    }

    /**
     * The 64 values of group {@code group} of the Gaussian or uniform stream, into {@code out[0..63]}
     * (the reference the kernels follow: 16 blocks, word k of block j is element {@code 16k + j}).
     */
    public static void group(int code, long seed, int tensorId, long group, float[] out, int[] scratch64) {
        long b0 = group << 4;
        for (int j = 0; j < 16; j++) {
            block(seed, tensorId, code, b0 + j, scratch64, 4 * j);
        }
        for (int j = 0; j < 16; j++) {
            int w0 = scratch64[4 * j], w1 = scratch64[4 * j + 1], w2 = scratch64[4 * j + 2], w3 = scratch64[4 * j + 3];
            if (code == UNIFORM) {
                out[j] = NoiseMath.uniform(w0);
                out[16 + j] = NoiseMath.uniform(w1);
                out[32 + j] = NoiseMath.uniform(w2);
                out[48 + j] = NoiseMath.uniform(w3);
            } else {
                out[j] = NoiseMath.gaussianCos(w0, w1);
                out[16 + j] = NoiseMath.gaussianSin(w0, w1);
                out[32 + j] = NoiseMath.gaussianCos(w2, w3);
                out[48 + j] = NoiseMath.gaussianSin(w2, w3);
            }
        }
    }
}
