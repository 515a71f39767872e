package dev.thimble.testkit;

/**
 * Error bounds for float32 kernels checked against a double reference.
 *
 * <p>A float sum of k products, in any order and with or without FMA, is off by at most
 * {@code γ_k · Σ|terms|} with {@code γ_k = k·u / (1 − k·u)} and unit roundoff {@code u = 2⁻²⁴}
 * (Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, §3.1). Scaling by alpha and
 * adding beta·C cost two more roundings, so a result computed from {@code k} products may differ
 * from the exact one by {@code γ_{k+2} · magnitude}, where magnitude is
 * {@code |α|·Σ|a·b| + |β·c|}. We allow twice that, plus the smallest normal float for results
 * that underflow.
 */
public final class Tolerances {
    /** Unit roundoff of float32. */
    public static final double U = Math.ulp(1f) / 2;

    private Tolerances() {
    }

    /** The allowed absolute error of a result made of {@code k} products with the given magnitude. */
    public static double forSum(long k, double magnitude) {
        double ku = (k + 2) * U;
        return 2 * ku / (1 - ku) * magnitude + Float.MIN_NORMAL;
    }
}
