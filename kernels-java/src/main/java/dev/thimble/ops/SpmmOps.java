package dev.thimble.ops;

import dev.thimble.tensor.BsrF32;
import dev.thimble.tensor.CsrF32;
import dev.thimble.tensor.DenseF32;
import dev.thimble.tensor.Tensor;

/**
 * Sparse × dense products: {@code C = α·A·B + β·C} for A in CSR or BSR, and the dense × sparse
 * products of a linear layer with sparse weights ({@code Y = X·Wᵀ} forward, {@code D = G·W} for the
 * input gradient).
 *
 * <p>Every method checks shapes, liveness and aliasing, then runs the context's provider, on
 * several threads when the problem is large. As in BLAS, {@code β = 0} overwrites the output
 * without reading it. Methods without a context use {@link KernelContext#global()}.
 */
public final class SpmmOps {
    private SpmmOps() {
    }

    /** {@code C = A·B} with A in CSR. */
    public static DenseF32 csr(CsrF32 a, DenseF32 b, DenseF32 c) {
        return csr(KernelContext.global(), 1f, a, b, 0f, c);
    }

    /**
     * {@code C = α·A·B + β·C} with A in CSR.
     *
     * @param a (Input) m×k. Not modified.
     * @param b (Input) k×n. Not modified.
     * @param c (Output) m×n; must not overlap B.
     * @return c
     */
    public static DenseF32 csr(KernelContext ctx, float alpha, CsrF32 a, DenseF32 b, float beta, DenseF32 c) {
        String op = "SpMM C = A·B";
        checkProduct(op, a.rows(), a.cols(), a, b, c);
        ctx.forRowsByNnz(a, (long) a.nnz() * b.cols(),
                (s, e) -> ctx.kernels().spmmCsr(alpha, a, b, beta, c, s, e));
        return c;
    }

    /** {@code C = A·B} with A in BSR. */
    public static DenseF32 bsr(BsrF32 a, DenseF32 b, DenseF32 c) {
        return bsr(KernelContext.global(), 1f, a, b, 0f, c);
    }

    /**
     * {@code C = α·A·B + β·C} with A in BSR (blocks of 4, 8 or 16).
     *
     * @param a (Input) m×k. Not modified.
     * @param b (Input) k×n. Not modified.
     * @param c (Output) m×n; must not overlap B.
     * @return c
     */
    public static DenseF32 bsr(KernelContext ctx, float alpha, BsrF32 a, DenseF32 b, float beta, DenseF32 c) {
        String op = "BSR SpMM C = A·B";
        checkProduct(op, a.rows(), a.cols(), a, b, c);
        long work = (long) a.nnzBlocks() * a.blockSize() * a.blockSize() * b.cols();
        ctx.forRows(a.blockRows(), work, (s, e) -> ctx.kernels().spmmBsr(alpha, a, b, beta, c, s, e));
        return c;
    }

    /** {@code Y = X·Wᵀ}: a linear layer's forward pass with sparse weights W (out × in). */
    public static DenseF32 denseTimesSparseT(DenseF32 x, CsrF32 w, DenseF32 y) {
        return denseTimesSparseT(KernelContext.global(), 1f, x, w, 0f, y);
    }

    /**
     * {@code Y = α·X·Wᵀ + β·Y}.
     *
     * @param x (Input) m×k. Not modified.
     * @param w (Input) n×k. Not modified.
     * @param y (Output) m×n; must not overlap X.
     * @return y
     */
    public static DenseF32 denseTimesSparseT(KernelContext ctx, float alpha, DenseF32 x, CsrF32 w, float beta,
            DenseF32 y) {
        String op = "Y = X·Wᵀ";
        Checks.alive(x, w, y);
        Checks.matrix(op, "X", x);
        Checks.matrix(op, "Y", y);
        Checks.dims(op, "X columns must equal W columns", w.cols(), x.cols(), x, w, y);
        Checks.dims(op, "Y rows must equal X rows", x.rows(), y.rows(), x, w, y);
        Checks.dims(op, "Y columns must equal W rows", w.rows(), y.cols(), x, w, y);
        Checks.noOverlap(op, "Y", y.segment(), "X", x.segment());
        ctx.forRows(x.rows(), (long) x.rows() * w.nnz(),
                (s, e) -> ctx.kernels().denseTimesCsrT(alpha, x, w, beta, y, s, e));
        return y;
    }

    /** {@code D = G·W}: the input gradient of a linear layer with sparse weights W (out × in). */
    public static DenseF32 denseTimesSparse(DenseF32 g, CsrF32 w, DenseF32 d) {
        return denseTimesSparse(KernelContext.global(), 1f, g, w, 0f, d);
    }

    /**
     * {@code D = α·G·W + β·D}.
     *
     * @param g (Input) m×n. Not modified.
     * @param w (Input) n×k. Not modified.
     * @param d (Output) m×k; must not overlap G.
     * @return d
     */
    public static DenseF32 denseTimesSparse(KernelContext ctx, float alpha, DenseF32 g, CsrF32 w, float beta,
            DenseF32 d) {
        String op = "D = G·W";
        Checks.alive(g, w, d);
        Checks.matrix(op, "G", g);
        Checks.matrix(op, "D", d);
        Checks.dims(op, "G columns must equal W rows", w.rows(), g.cols(), g, w, d);
        Checks.dims(op, "D rows must equal G rows", g.rows(), d.rows(), g, w, d);
        Checks.dims(op, "D columns must equal W columns", w.cols(), d.cols(), g, w, d);
        Checks.noOverlap(op, "D", d.segment(), "G", g.segment());
        ctx.forRows(g.rows(), (long) g.rows() * w.nnz(),
                (s, e) -> ctx.kernels().denseTimesCsr(alpha, g, w, beta, d, s, e));
        return d;
    }

    static void checkProduct(String op, int m, int k, Tensor a, DenseF32 b, DenseF32 c) {
        Checks.alive(a, b, c);
        Checks.matrix(op, "B", b);
        Checks.matrix(op, "C", c);
        Checks.dims(op, "A columns must equal B rows", k, b.rows(), a, b, c);
        Checks.dims(op, "C rows must equal A rows", m, c.rows(), a, b, c);
        Checks.dims(op, "C columns must equal B columns", b.cols(), c.cols(), a, b, c);
        Checks.noOverlap(op, "C", c.segment(), "B", b.segment());
    }
}
