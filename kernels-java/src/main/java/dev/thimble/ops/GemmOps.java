package dev.thimble.ops;

import dev.thimble.tensor.DenseF32;

/**
 * Dense matrix products: {@code C = α·op(A)·op(B) + β·C} with op = identity or transpose, the
 * dense layers' forward and backward passes and the baseline the sparse products are measured
 * against. With the OpenBLAS provider these are SGEMM calls on the tensors' memory.
 *
 * <p>Methods without a context use {@link KernelContext#global()}.
 */
public final class GemmOps {
    private GemmOps() {
    }

    /** {@code C = A·B}. */
    public static DenseF32 gemm(DenseF32 a, DenseF32 b, DenseF32 c) {
        return gemm(KernelContext.global(), 1f, a, b, 0f, c);
    }

    /**
     * {@code C = α·A·B + β·C}.
     *
     * @param a (Input) m×k. Not modified.
     * @param b (Input) k×n. Not modified.
     * @param c (Output) m×n; must not overlap A or B.
     * @return c
     */
    public static DenseF32 gemm(KernelContext ctx, float alpha, DenseF32 a, DenseF32 b, float beta, DenseF32 c) {
        String op = "GEMM C = A·B";
        Checks.alive(a);
        Checks.matrix(op, "A", a);
        SpmmOps.checkProduct(op, a.rows(), a.cols(), a, b, c);
        Checks.noOverlap(op, "C", c.segment(), "A", a.segment());
        ctx.forRows(a.rows(), (long) a.rows() * a.cols() * b.cols(),
                (s, e) -> ctx.kernels().gemm(alpha, a, b, beta, c, s, e));
        return c;
    }

    /** {@code C = A·Bᵀ}. */
    public static DenseF32 gemmTransB(DenseF32 a, DenseF32 b, DenseF32 c) {
        return gemmTransB(KernelContext.global(), 1f, a, b, 0f, c);
    }

    /**
     * {@code C = α·A·Bᵀ + β·C}: a dense layer's forward pass {@code Y = X·Wᵀ}.
     *
     * @param a (Input) m×k. Not modified.
     * @param b (Input) n×k. Not modified.
     * @param c (Output) m×n; must not overlap A or B.
     * @return c
     */
    public static DenseF32 gemmTransB(KernelContext ctx, float alpha, DenseF32 a, DenseF32 b, float beta,
            DenseF32 c) {
        String op = "GEMM C = A·Bᵀ";
        checkOperands(op, a, b, c);
        Checks.dims(op, "A columns must equal B columns", a.cols(), b.cols(), a, b, c);
        Checks.dims(op, "C rows must equal A rows", a.rows(), c.rows(), a, b, c);
        Checks.dims(op, "C columns must equal B rows", b.rows(), c.cols(), a, b, c);
        ctx.forRows(a.rows(), (long) a.rows() * a.cols() * b.rows(),
                (s, e) -> ctx.kernels().gemmTransB(alpha, a, b, beta, c, s, e));
        return c;
    }

    /** {@code C = Aᵀ·B}. */
    public static DenseF32 gemmTransA(DenseF32 a, DenseF32 b, DenseF32 c) {
        return gemmTransA(KernelContext.global(), 1f, a, b, 0f, c);
    }

    /**
     * {@code C = α·Aᵀ·B + β·C}: a dense layer's weight gradient {@code dW = dYᵀ·X}.
     *
     * @param a (Input) k×m. Not modified.
     * @param b (Input) k×n. Not modified.
     * @param c (Output) m×n; must not overlap A or B.
     * @return c
     */
    public static DenseF32 gemmTransA(KernelContext ctx, float alpha, DenseF32 a, DenseF32 b, float beta,
            DenseF32 c) {
        String op = "GEMM C = Aᵀ·B";
        checkOperands(op, a, b, c);
        Checks.dims(op, "A rows must equal B rows", a.rows(), b.rows(), a, b, c);
        Checks.dims(op, "C rows must equal A columns", a.cols(), c.rows(), a, b, c);
        Checks.dims(op, "C columns must equal B columns", b.cols(), c.cols(), a, b, c);
        ctx.forRows(a.cols(), (long) a.rows() * a.cols() * b.cols(),
                (s, e) -> ctx.kernels().gemmTransA(alpha, a, b, beta, c, s, e));
        return c;
    }

    private static void checkOperands(String op, DenseF32 a, DenseF32 b, DenseF32 c) {
        Checks.alive(a, b, c);
        Checks.matrix(op, "A", a);
        Checks.matrix(op, "B", b);
        Checks.matrix(op, "C", c);
        Checks.noOverlap(op, "C", c.segment(), "A", a.segment());
        Checks.noOverlap(op, "C", c.segment(), "B", b.segment());
    }
}
