package dev.thimble.random;

/**
 * Thimble's own float {@code log}, {@code sin} and {@code cos} for the Box–Muller transform:
 * range-reduced polynomials evaluated with FMAs in one fixed order, so Java, the Vector API and C
 * (scalar, AVX2, AVX-512, NEON) give the same bits. Every kernel copies these steps literally;
 * change one and every implementation must change with it (the cross-provider tests will tell).
 *
 * <p><b>log</b> of {@code u ∈ [2⁻²⁴, 1]}: write {@code u = 2ᵉ·m} with {@code m ∈ [√½, √2)} by
 * integer operations on the bits; {@code f = m − 1} is exact (Sterbenz); with
 * {@code s = f / (2 + f)}, {@code ln m = 2s + s³·(2/3 + s²(2/5 + s²(2/7 + s²·2/9)))} (|s| ≤ 0.172,
 * truncation below 1e-9 relative), then {@code ln u = e·ln2_hi + (e·ln2_lo + ln m)}; ln2_hi has 16
 * significant bits so {@code e·ln2_hi} is exact. About 1 ulp.
 *
 * <p><b>sin/cos</b> of {@code 2π·k/2²⁴} for a 24-bit integer {@code k}: the angle is in turns, so
 * the quadrant {@code q} and the remainder {@code k − q·2²²} (in [−2²¹, 2²¹)) come out of integer
 * arithmetic exactly; the reduced angle {@code x = rem·fl(2π/2²⁴)} is in [−π/4, π/4], where
 * Taylor polynomials to x⁹ (sin) and x¹⁰ (cos) are within 2e-9; the quadrant swaps and negates
 * (exact). About 1–2 ulp.
 *
 * <p>The square root is IEEE's, correctly rounded everywhere.
 */
public final class NoiseMath {
    private NoiseMath() {
    }

    /** 2⁻²⁴. */
    public static final float TWO_M24 = 0x1p-24f;
    /** Bits of fl(√½): the mantissa split point of the log reduction. */
    public static final int SQRT_HALF_BITS = 0x3f3504f3;
    /** ln 2 to 16 bits, so that e·LN2_HI is exact for |e| ≤ 2⁸. */
    public static final float LN2_HI = 0.693145751953125f;
    /** ln 2 − LN2_HI. */
    public static final float LN2_LO = 1.428606765330187e-06f;
    /** Coefficients 2/3, 2/5, 2/7, 2/9 of the atanh series of ln m. */
    public static final float L1 = 2f / 3f, L2 = 0.4f, L3 = 2f / 7f, L4 = 2f / 9f;
    /** 2π/2²⁴: one step of the 24-bit angle. */
    public static final float TWO_PI_M24 = (float) (2 * Math.PI / 16777216.0);
    /** Taylor coefficients of sin: −1/3!, 1/5!, −1/7!, 1/9!. */
    public static final float S1 = -1f / 6f, S2 = 1f / 120f, S3 = -1f / 5040f, S4 = 1f / 362880f;
    /** Taylor coefficients of cos: −1/2!, 1/4!, −1/6!, 1/8!, −1/10!. */
    public static final float C1 = -0.5f, C2 = 1f / 24f, C3 = -1f / 720f, C4 = 1f / 40320f, C5 = -1f / 3628800f;
    /** fl(√3·2⁻²⁴): the uniform stream's scale to unit variance. */
    public static final float UNIFORM_SCALE = (float) (Math.sqrt(3.0) / 16777216.0);

    /** The uniform value of one Philox word. */
    public static float uniform(int w) {
        return (float) (2 * (w >>> 8) - 0xFFFFFF) * UNIFORM_SCALE;
    }

    /** {@code ln u} for {@code u} in [2⁻²⁴, 1] (the only inputs the streams produce). */
    public static float log(float u) {
        int bits = Float.floatToRawIntBits(u);
        int e = (bits - SQRT_HALF_BITS) >> 23;
        float m = Float.intBitsToFloat(bits - (e << 23));
        float f = m - 1f;
        float s = f / (2f + f);
        float s2 = s * s;
        float q = Math.fma(s2, Math.fma(s2, Math.fma(s2, L4, L3), L2), L1);
        float lnm = Math.fma(s * s2, q, 2f * s);
        float fe = (float) e;
        return Math.fma(fe, LN2_HI, Math.fma(fe, LN2_LO, lnm));
    }

    /** The Box–Muller radius {@code √(−2·ln u)} of word {@code a}, {@code u = ((a >>> 8) + 1)·2⁻²⁴}. */
    public static float radius(int a) {
        float u = (float) ((a >>> 8) + 1) * TWO_M24;
        return (float) Math.sqrt(log(u) * -2f);
    }

    /** Quadrant of the 24-bit angle of word {@code b} (0..3). */
    static int quadrant(int b) {
        return ((b >>> 8) + 0x200000) >>> 22 & 3;
    }

    /** Reduced angle of word {@code b} in [−π/4, π/4]. */
    static float reduced(int b) {
        int k = b >>> 8;
        int rem = k - (((k + 0x200000) >>> 22) << 22);
        return (float) rem * TWO_PI_M24;
    }

    /** sin of the reduced angle x. */
    public static float sinPoly(float x) {
        float x2 = x * x;
        float p = Math.fma(x2, Math.fma(x2, Math.fma(x2, S4, S3), S2), S1);
        return Math.fma(x * x2, p, x);
    }

    /** cos of the reduced angle x. */
    public static float cosPoly(float x) {
        float x2 = x * x;
        float p = Math.fma(x2, Math.fma(x2, Math.fma(x2, Math.fma(x2, C5, C4), C3), C2), C1);
        return Math.fma(x2, p, 1f);
    }

    /** cos(2π·(b >>> 8)·2⁻²⁴). */
    public static float cosTurn(int b) {
        int q = quadrant(b);
        float x = reduced(b);
        float v = (q & 1) == 0 ? cosPoly(x) : sinPoly(x);
        // cos is negated in quadrants 1 and 2: a sign flip, exact
        return ((q + 1) & 2) != 0 ? -v : v;
    }

    /** sin(2π·(b >>> 8)·2⁻²⁴). */
    public static float sinTurn(int b) {
        int q = quadrant(b);
        float x = reduced(b);
        float v = (q & 1) == 0 ? sinPoly(x) : cosPoly(x);
        return (q & 2) != 0 ? -v : v;
    }

    /** The cosine output of the Box–Muller pair (a, b). */
    public static float gaussianCos(int a, int b) {
        return radius(a) * cosTurn(b);
    }

    /** The sine output of the Box–Muller pair (a, b). */
    public static float gaussianSin(int a, int b) {
        return radius(a) * sinTurn(b);
    }
}
